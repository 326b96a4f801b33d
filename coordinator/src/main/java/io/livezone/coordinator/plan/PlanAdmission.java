package io.livezone.coordinator.plan;

import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.core.InvalidInputException;
import io.livezone.core.http.ApiException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a plan may start: every zone known, running, not already moving, going to another host
 * whose agent is up, and every host able to hold what it holds after the plan. Refused plans change
 * nothing.
 */
final class PlanAdmission {
    private PlanAdmission() {}

    /**
     * The plan's moves, or an input error (400) / conflict (409) naming the problem.
     *
     * @param busy zones that unfinished moves of other plans are moving
     */
    static List<MoveRecord> validate(Registry registry, PlanRequest request, Set<String> busy) {
        Set<String> seen = new HashSet<>();
        Map<String, Long> memoryAfter = new HashMap<>();
        for (ZoneRecord z : registry.zones()) {
            memoryAfter.merge(z.host(), z.definition().memoryMiB() << 20, Long::sum);
        }
        List<MoveRecord> moves = new ArrayList<>();
        for (PlanRequest.Move m : request.moves()) {
            ZoneRecord zone = registry.zone(m.zone());
            HostRecord to = registry.host(m.to());
            if (!seen.add(m.zone())) {
                throw new InvalidInputException(
                        "zone '" + m.zone() + "' appears twice in the plan");
            }
            if (busy.contains(m.zone())) {
                throw ApiException.conflict(
                        "zone '" + m.zone() + "' is already being moved by another plan");
            }
            if (zone.state() != ZoneLifecycle.RUNNING) {
                throw ApiException.conflict(
                        "zone '" + m.zone() + "' is " + zone.state() + "; only running zones move");
            }
            if (zone.host().equals(m.to())) {
                throw new InvalidInputException(
                        "zone '" + m.zone() + "' already runs on " + m.to());
            }
            if (to.state() != HostRecord.HostState.UP) {
                throw ApiException.conflict(
                        "host " + m.to() + " is " + to.state() + "; its agent must be up");
            }
            HostRecord from = registry.host(zone.host());
            if (from.state() != HostRecord.HostState.UP) {
                throw ApiException.conflict(
                        "zone '"
                                + m.zone()
                                + "' runs on "
                                + from.name()
                                + ", which is "
                                + from.state());
            }
            long bytes = zone.definition().memoryMiB() << 20;
            memoryAfter.merge(zone.host(), -bytes, Long::sum);
            memoryAfter.merge(m.to(), bytes, Long::sum);
            moves.add(MoveRecord.pending(m.zone(), zone.host(), m.to()));
        }
        for (var e : memoryAfter.entrySet()) {
            HostRecord h = registry.host(e.getKey());
            if (e.getValue() > h.memoryBytes()) {
                throw new InvalidInputException(
                        "no capacity: after the plan host "
                                + h.name()
                                + " would hold "
                                + (e.getValue() >> 20)
                                + " MiB of zones but has "
                                + (h.memoryBytes() >> 20)
                                + " MiB");
            }
        }
        return moves;
    }
}
