package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

/**
 * An emulated inter-site link as the coordinator hands it to a source agent: one-way latency,
 * jitter and bandwidth (0 = unlimited). {@link #NONE} between hosts of one site, and always in a
 * real deployment.
 */
public record LinkSettings(long latencyMs, long jitterMs, long bytesPerSec) {
    public static final LinkSettings NONE = new LinkSettings(0, 0, 0);

    public LinkSettings {
        if (latencyMs < 0 || jitterMs < 0 || bytesPerSec < 0) {
            throw new InvalidInputException(
                    "link latency, jitter and bandwidth must not be negative");
        }
        if (jitterMs > latencyMs) {
            throw new InvalidInputException(
                    "link jitter " + jitterMs + " ms exceeds its latency " + latencyMs + " ms");
        }
    }

    public boolean emulated() {
        return !equals(NONE);
    }
}
