package io.livezone.coordinator.policy;

import java.util.List;

/**
 * What a policy decided in one round and why, e.g. "QoS 33% < 90%: move z2 s2→s1", with the plan it
 * started (0 if none).
 */
public record PolicyDecision(
        String policy,
        long atMillis,
        String reason,
        double qosBefore,
        double qosAfter,
        List<String> moves,
        long planId) {
    public PolicyDecision {
        moves = List.copyOf(moves);
    }
}
