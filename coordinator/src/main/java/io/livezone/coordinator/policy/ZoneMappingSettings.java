package io.livezone.coordinator.policy;

import io.livezone.core.InvalidInputException;

/**
 * How the live zone-mapping policy runs: on or off, the RTT threshold and QoS target of the zone
 * migration paper (80 ms, 90 %), and how often it looks.
 */
public record ZoneMappingSettings(
        boolean enabled, double rttThresholdMs, double qosTarget, long periodSeconds) {
    public static final ZoneMappingSettings DEFAULT = new ZoneMappingSettings(false, 80, 0.9, 10);

    public ZoneMappingSettings {
        if (!(rttThresholdMs > 0)) {
            throw new InvalidInputException(
                    "rttThresholdMs must be positive, got " + rttThresholdMs);
        }
        if (!(qosTarget > 0 && qosTarget <= 1)) {
            throw new InvalidInputException("qosTarget must be in (0, 1], got " + qosTarget);
        }
        if (periodSeconds < 1 || periodSeconds > 3600) {
            throw new InvalidInputException("periodSeconds must be 1..3600, got " + periodSeconds);
        }
    }
}
