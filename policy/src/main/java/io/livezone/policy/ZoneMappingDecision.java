package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Outcome of a zone-mapping round: the complete target mapping (zone id → server id), QoS before
 * and after, and the migrations that turn the current placement into the target.
 *
 * <p>{@code moves} is the difference between current and target placement, ordered by zone as
 * listed in the snapshot. Sequencing them under capacity (a swap between two full servers needs one
 * zone to leave first) is left to the coordinator that executes them.
 */
public record ZoneMappingDecision(
        Map<String, String> mapping,
        double qosBefore,
        double qosAfter,
        List<ZoneMove> moves,
        String reason) {
    public ZoneMappingDecision {
        mapping = Map.copyOf(Objects.requireNonNull(mapping, "mapping is null"));
        moves = List.copyOf(Objects.requireNonNull(moves, "moves is null"));
        Objects.requireNonNull(reason, "reason is null");
        if (!(qosBefore >= 0 && qosBefore <= 1) || !(qosAfter >= 0 && qosAfter <= 1)) {
            throw new InvalidInputException(
                    "QoS must be in [0, 1], got " + qosBefore + " and " + qosAfter);
        }
        for (ZoneMove move : moves) {
            if (!move.toServerId().equals(mapping.get(move.zoneId()))) {
                throw new InvalidInputException("move " + move + " disagrees with the mapping");
            }
        }
    }

    public boolean migrates() {
        return !moves.isEmpty();
    }
}
