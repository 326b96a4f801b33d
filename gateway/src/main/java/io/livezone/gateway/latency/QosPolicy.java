package io.livezone.gateway.latency;

import io.livezone.core.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/**
 * How players' round-trip samples become a QoS figure.
 *
 * @param threshold a client counts as well served when its RTT is below this (80 ms by default: a
 *     common bound for fast-paced games)
 * @param window a client's RTT is the median of its last {@code window} samples, so a single late
 *     packet (e.g. at a migration's switchover) does not flip it
 * @param staleAfter clients without a sample for this long are no longer counted
 */
public record QosPolicy(Duration threshold, int window, Duration staleAfter) {
    public static final QosPolicy DEFAULT =
            new QosPolicy(Duration.ofMillis(80), 5, Duration.ofSeconds(30));

    public QosPolicy {
        Objects.requireNonNull(threshold, "threshold is null");
        Objects.requireNonNull(staleAfter, "staleAfter is null");
        if (threshold.isNegative() || threshold.isZero()) {
            throw new InvalidInputException("QoS threshold must be > 0, got " + threshold);
        }
        if (window < 1 || window > 1000) {
            throw new InvalidInputException("QoS window must be 1..1000 samples, got " + window);
        }
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new InvalidInputException("QoS staleAfter must be > 0, got " + staleAfter);
        }
    }

    public QosPolicy withThreshold(Duration newThreshold) {
        return new QosPolicy(newThreshold, window, staleAfter);
    }
}
