package io.livezone.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of one live migration. Defaults follow common practice: 300 ms downtime limit would be
 * libvirt's; we aim for game ticks, so 30 ms. Timeouts mirror KubeVirt's (800 s per GiB to
 * complete, 150 s without progress).
 *
 * @param postcopyAfter when post-copy is allowed, switch to it if pre-copy has not converged after
 *     this long
 * @param multifdCompression "none", "zlib" or "zstd" (only with multifd channels > 0)
 */
public record MigrationOptions(
        Duration downtimeLimit,
        long maxBandwidthBytesPerSec,
        boolean autoConverge,
        boolean xbzrle,
        int multifdChannels,
        String multifdCompression,
        boolean postcopy,
        Duration postcopyAfter,
        Duration completionTimeoutPerGiB,
        Duration progressTimeout,
        boolean pauseBeforeSwitchover) {

    public static final MigrationOptions DEFAULT =
            new MigrationOptions(
                    Duration.ofMillis(30),
                    0,
                    true,
                    false,
                    0,
                    "none",
                    false,
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(800),
                    Duration.ofSeconds(150),
                    true);

    public MigrationOptions {
        Objects.requireNonNull(downtimeLimit, "downtimeLimit is null");
        Objects.requireNonNull(multifdCompression, "multifdCompression is null");
        Objects.requireNonNull(postcopyAfter, "postcopyAfter is null");
        Objects.requireNonNull(completionTimeoutPerGiB, "completionTimeoutPerGiB is null");
        Objects.requireNonNull(progressTimeout, "progressTimeout is null");
        if (downtimeLimit.isNegative()
                || downtimeLimit.isZero()
                || downtimeLimit.toMillis() > 60_000) {
            throw new InvalidInputException(
                    "downtime limit must be 1 ms..60 s, got " + downtimeLimit.toMillis() + " ms");
        }
        if (maxBandwidthBytesPerSec < 0) {
            throw new InvalidInputException(
                    "bandwidth cap must be >= 0 (0 = unlimited), got " + maxBandwidthBytesPerSec);
        }
        if (multifdChannels < 0 || multifdChannels > 64) {
            throw new InvalidInputException(
                    "multifd channels must be 0..64, got " + multifdChannels);
        }
        if (!multifdCompression.matches("none|zlib|zstd")) {
            throw new InvalidInputException(
                    "multifd compression must be none, zlib or zstd, got '"
                            + multifdCompression
                            + "'");
        }
        if (multifdChannels == 0 && !multifdCompression.equals("none")) {
            throw new InvalidInputException("multifd compression needs multifd channels > 0");
        }
        if (postcopy && multifdChannels > 0) {
            // QEMU before 10.0 refuses postcopy-ram together with multifd; keep them exclusive
            // everywhere.
            throw new InvalidInputException(
                    "post-copy cannot be combined with multifd in this QEMU; choose one");
        }
        if (xbzrle && multifdChannels > 0) {
            throw new InvalidInputException("xbzrle cannot be combined with multifd; choose one");
        }
        if (completionTimeoutPerGiB.isNegative()
                || completionTimeoutPerGiB.isZero()
                || progressTimeout.isNegative()
                || progressTimeout.isZero()
                || postcopyAfter.isNegative()) {
            throw new InvalidInputException("migration timeouts must be positive");
        }
    }

    public MigrationOptions withMaxBandwidth(long bytesPerSec) {
        return new MigrationOptions(
                downtimeLimit,
                bytesPerSec,
                autoConverge,
                xbzrle,
                multifdChannels,
                multifdCompression,
                postcopy,
                postcopyAfter,
                completionTimeoutPerGiB,
                progressTimeout,
                pauseBeforeSwitchover);
    }

    public MigrationOptions withPostcopy(boolean enabled, Duration after) {
        return new MigrationOptions(
                downtimeLimit,
                maxBandwidthBytesPerSec,
                autoConverge,
                xbzrle,
                multifdChannels,
                multifdCompression,
                enabled,
                after,
                completionTimeoutPerGiB,
                progressTimeout,
                pauseBeforeSwitchover);
    }

    public MigrationOptions withMultifd(int channels, String compression) {
        return new MigrationOptions(
                downtimeLimit,
                maxBandwidthBytesPerSec,
                autoConverge,
                xbzrle,
                channels,
                compression,
                postcopy,
                postcopyAfter,
                completionTimeoutPerGiB,
                progressTimeout,
                pauseBeforeSwitchover);
    }

    public MigrationOptions withXbzrle(boolean enabled) {
        return new MigrationOptions(
                downtimeLimit,
                maxBandwidthBytesPerSec,
                autoConverge,
                enabled,
                multifdChannels,
                multifdCompression,
                postcopy,
                postcopyAfter,
                completionTimeoutPerGiB,
                progressTimeout,
                pauseBeforeSwitchover);
    }

    public MigrationOptions withTimeouts(Duration perGiB, Duration progress) {
        return new MigrationOptions(
                downtimeLimit,
                maxBandwidthBytesPerSec,
                autoConverge,
                xbzrle,
                multifdChannels,
                multifdCompression,
                postcopy,
                postcopyAfter,
                perGiB,
                progress,
                pauseBeforeSwitchover);
    }

    public MigrationOptions withDowntimeLimit(Duration limit) {
        return new MigrationOptions(
                limit,
                maxBandwidthBytesPerSec,
                autoConverge,
                xbzrle,
                multifdChannels,
                multifdCompression,
                postcopy,
                postcopyAfter,
                completionTimeoutPerGiB,
                progressTimeout,
                pauseBeforeSwitchover);
    }

    /** Time allowed for the whole migration of a guest of this size. */
    public Duration completionTimeout(MemorySize guestMemory) {
        double gib = Math.max(guestMemory.gib(), 0.25);
        return Duration.ofMillis((long) (completionTimeoutPerGiB.toMillis() * gib));
    }
}
