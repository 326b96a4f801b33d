package io.livezone.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * How a disk mirror copies.
 *
 * @param sync {@link Sync#FULL} copies the whole disk; {@link Sync#TOP} only what the top image
 *     (the zone's overlay) holds, for a destination whose overlay sits on an identical base
 * @param copyMode {@link CopyMode#BACKGROUND} lets guest writes race the copy and re-copies dirty
 *     blocks; {@link CopyMode#WRITE_BLOCKING} makes each guest write also wait for the destination
 *     once copied, which guarantees convergence under heavy writing at the cost of write latency
 * @param bytesPerSecond copy rate limit, 0 for none (QEMU bursts one buffer, 16 MiB by default,
 *     before the limit applies)
 * @param reconnectDelay how long the NBD client keeps retrying a dropped connection to the
 *     destination before the job fails; zero fails at once
 * @param granularity bytes per bit of the job's dirty bitmap (a power of two, 512 B..64 MiB), or 0
 *     for QEMU's default (the target's cluster size, 64 KiB for qcow2): a guest write dirties a
 *     whole granule, which is sent again in full. Small granules keep the bytes re-sent for small
 *     guest writes small.
 */
public record MirrorOptions(
        Sync sync,
        CopyMode copyMode,
        long bytesPerSecond,
        Duration reconnectDelay,
        long granularity) {

    /** QAPI MirrorSyncMode values LiveZone uses. */
    public enum Sync {
        FULL("full"),
        TOP("top");

        final String qemuName;

        Sync(String qemuName) {
            this.qemuName = qemuName;
        }
    }

    /** QAPI MirrorCopyMode. */
    public enum CopyMode {
        BACKGROUND("background"),
        WRITE_BLOCKING("write-blocking");

        final String qemuName;

        CopyMode(String qemuName) {
            this.qemuName = qemuName;
        }
    }

    public MirrorOptions {
        Objects.requireNonNull(sync, "sync is null");
        Objects.requireNonNull(copyMode, "copyMode is null");
        Objects.requireNonNull(reconnectDelay, "reconnectDelay is null");
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate limit must be >= 0, got " + bytesPerSecond);
        }
        if (reconnectDelay.isNegative()) {
            throw new IllegalArgumentException("reconnect delay must be >= 0");
        }
        if (granularity != 0
                && (Long.bitCount(granularity) != 1
                        || granularity < 512
                        || granularity > 64L << 20)) {
            throw new IllegalArgumentException(
                    "granularity must be 0 or a power of two from 512 B to 64 MiB, got "
                            + granularity);
        }
    }

    /** Whole disk, background copy, no rate limit: mode (a) and pulls. */
    public static MirrorOptions full() {
        return new MirrorOptions(Sync.FULL, CopyMode.BACKGROUND, 0, Duration.ZERO, 0);
    }

    /** Overlay only, background copy, no rate limit: mode (c). */
    public static MirrorOptions top() {
        return new MirrorOptions(Sync.TOP, CopyMode.BACKGROUND, 0, Duration.ZERO, 0);
    }

    public MirrorOptions withCopyMode(CopyMode mode) {
        return new MirrorOptions(sync, mode, bytesPerSecond, reconnectDelay, granularity);
    }

    public MirrorOptions withBytesPerSecond(long limit) {
        return new MirrorOptions(sync, copyMode, limit, reconnectDelay, granularity);
    }

    public MirrorOptions withReconnectDelay(Duration delay) {
        return new MirrorOptions(sync, copyMode, bytesPerSecond, delay, granularity);
    }

    public MirrorOptions withGranularity(long bytes) {
        return new MirrorOptions(sync, copyMode, bytesPerSecond, reconnectDelay, bytes);
    }
}
