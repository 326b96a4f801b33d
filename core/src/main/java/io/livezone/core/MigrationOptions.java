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
        return toBuilder().maxBandwidthBytesPerSec(bytesPerSec).build();
    }

    public MigrationOptions withPostcopy(boolean enabled, Duration after) {
        return toBuilder().postcopy(enabled).postcopyAfter(after).build();
    }

    public MigrationOptions withMultifd(int channels, String compression) {
        return toBuilder().multifdChannels(channels).multifdCompression(compression).build();
    }

    public MigrationOptions withXbzrle(boolean enabled) {
        return toBuilder().xbzrle(enabled).build();
    }

    public MigrationOptions withTimeouts(Duration perGiB, Duration progress) {
        return toBuilder().completionTimeoutPerGiB(perGiB).progressTimeout(progress).build();
    }

    public MigrationOptions withDowntimeLimit(Duration limit) {
        return toBuilder().downtimeLimit(limit).build();
    }

    /** A builder starting from these options; {@link Builder#build()} validates the result. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes several options at once, validating only the final combination. */
    public static final class Builder {
        private Duration downtimeLimit;
        private long maxBandwidthBytesPerSec;
        private boolean autoConverge;
        private boolean xbzrle;
        private int multifdChannels;
        private String multifdCompression;
        private boolean postcopy;
        private Duration postcopyAfter;
        private Duration completionTimeoutPerGiB;
        private Duration progressTimeout;
        private boolean pauseBeforeSwitchover;

        private Builder(MigrationOptions from) {
            downtimeLimit = from.downtimeLimit;
            maxBandwidthBytesPerSec = from.maxBandwidthBytesPerSec;
            autoConverge = from.autoConverge;
            xbzrle = from.xbzrle;
            multifdChannels = from.multifdChannels;
            multifdCompression = from.multifdCompression;
            postcopy = from.postcopy;
            postcopyAfter = from.postcopyAfter;
            completionTimeoutPerGiB = from.completionTimeoutPerGiB;
            progressTimeout = from.progressTimeout;
            pauseBeforeSwitchover = from.pauseBeforeSwitchover;
        }

        public Builder downtimeLimit(Duration v) {
            downtimeLimit = v;
            return this;
        }

        public Builder maxBandwidthBytesPerSec(long v) {
            maxBandwidthBytesPerSec = v;
            return this;
        }

        public Builder autoConverge(boolean v) {
            autoConverge = v;
            return this;
        }

        public Builder xbzrle(boolean v) {
            xbzrle = v;
            return this;
        }

        public Builder multifdChannels(int v) {
            multifdChannels = v;
            return this;
        }

        public Builder multifdCompression(String v) {
            multifdCompression = v;
            return this;
        }

        public Builder postcopy(boolean v) {
            postcopy = v;
            return this;
        }

        public Builder postcopyAfter(Duration v) {
            postcopyAfter = v;
            return this;
        }

        public Builder completionTimeoutPerGiB(Duration v) {
            completionTimeoutPerGiB = v;
            return this;
        }

        public Builder progressTimeout(Duration v) {
            progressTimeout = v;
            return this;
        }

        public Builder pauseBeforeSwitchover(boolean v) {
            pauseBeforeSwitchover = v;
            return this;
        }

        public MigrationOptions build() {
            return new MigrationOptions(
                    downtimeLimit,
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
    }

    /** Time allowed for the whole migration of a guest of this size. */
    public Duration completionTimeout(MemorySize guestMemory) {
        double gib = Math.max(guestMemory.gib(), 0.25);
        return Duration.ofMillis((long) (completionTimeoutPerGiB.toMillis() * gib));
    }
}
