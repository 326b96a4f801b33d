package io.livezone.policy;

import io.livezone.core.InvalidInputException;

/**
 * Tuning of the zone-mapping policy (zone migration paper §6.3): a client is served well when its
 * RTT to the server hosting its zone is strictly below {@code rttThresholdMs}; QoS is the share of
 * clients served well, and the policy only remaps when QoS drops below {@code qosTarget}.
 */
public record ZoneMappingConfig(double rttThresholdMs, double qosTarget) {
    /** §6.3 uses 80 ms as the playability bound for fast-paced games. */
    public static final double DEFAULT_RTT_THRESHOLD_MS = 80.0;

    public static final double DEFAULT_QOS_TARGET = 0.9;

    public ZoneMappingConfig {
        if (!(rttThresholdMs > 0) || Double.isInfinite(rttThresholdMs)) {
            throw new InvalidInputException(
                    "RTT threshold must be a finite number > 0 ms, got " + rttThresholdMs);
        }
        if (!(qosTarget > 0 && qosTarget <= 1)) {
            throw new InvalidInputException("QoS target must be in (0, 1], got " + qosTarget);
        }
    }

    public static ZoneMappingConfig defaults() {
        return new ZoneMappingConfig(DEFAULT_RTT_THRESHOLD_MS, DEFAULT_QOS_TARGET);
    }
}
