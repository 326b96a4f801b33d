package io.livezone.qemu;

import java.time.Duration;

/**
 * Notices a post-copy stream that has stopped moving. A peer that vanished behind a firewall
 * (packets dropped, no reset) leaves QEMU's TCP socket blocked for the kernel's retransmission
 * timeout, about 15 minutes, while {@code query-migrate} still says {@code postcopy-active}. The
 * source's count of bytes sent is the signal: it grows as long as the socket takes data, in
 * background pages and in pages the destination asked for, until the migration completes.
 */
final class PostcopyStallWatch {
    private final long timeoutNanos;
    private long lastBytes = -1;
    private long lastGrowthAt;

    PostcopyStallWatch(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive, got " + timeout);
        }
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * One sample of the bytes the source has sent, taken at {@code nowNanos} while QEMU reports
     * {@code postcopy-active}. Returns true when the count has not grown for the whole timeout.
     */
    boolean stalled(long nowNanos, long bytesSent) {
        if (lastBytes < 0 || bytesSent > lastBytes) {
            lastBytes = bytesSent;
            lastGrowthAt = nowNanos;
            return false;
        }
        return nowNanos - lastGrowthAt >= timeoutNanos;
    }

    /** Forgets the samples: the next one starts a new period (after a pause or a recovery). */
    void reset() {
        lastBytes = -1;
    }
}
