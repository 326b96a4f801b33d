package io.livezone.coordinator.plan;

import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.IncomingRequest;
import io.livezone.core.cluster.IncomingTicket;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.cluster.ZoneDefinition;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Destinations of one plan prepared ahead of their moves, by move index. A staged destination is a
 * paused VM waiting for its stream: it never ran, so discarding it is always safe.
 */
final class Staging {
    private static final Logger log = LoggerFactory.getLogger(Staging.class);

    private final long plan;
    private final MigrationSettings settings;
    private final Registry registry;
    private final Function<String, AgentGateway> agents;
    private final ExecutorService threads;
    private final Map<Integer, Future<IncomingTicket>> staged = new ConcurrentHashMap<>();

    Staging(
            long plan,
            MigrationSettings settings,
            Registry registry,
            Function<String, AgentGateway> agents,
            ExecutorService threads) {
        this.plan = plan;
        this.settings = settings;
        this.registry = registry;
        this.agents = agents;
        this.threads = threads;
    }

    /**
     * While a move waits for a busy NIC, its destination VM can already be started: the move then
     * begins with the transfer instead of QEMU's start-up (about a second under TCG). Only
     * memory-only moves are staged, one per destination, and only where the destination has room
     * beyond every zone it holds or receives.
     */
    void stageAhead(List<MoveRecord> now) {
        Map<String, Long> free = new HashMap<>();
        for (var h : registry.hosts()) {
            free.put(h.name(), h.memoryBytes());
        }
        for (ZoneRecord z : registry.zones()) {
            free.merge(z.host(), -(z.definition().memoryMiB() << 20), Long::sum);
        }
        Set<String> stagingTo = new HashSet<>();
        for (int i = 0; i < now.size(); i++) {
            MoveRecord m = now.get(i);
            if (m.state().inFlight() || staged.containsKey(i)) {
                long bytes =
                        registry.findZone(m.zone())
                                .map(z -> z.definition().memoryMiB() << 20)
                                .orElse(0L);
                free.merge(m.destination(), -bytes, Long::sum);
                if (staged.containsKey(i)) {
                    stagingTo.add(m.destination());
                }
            }
        }
        for (int i = 0; i < now.size(); i++) {
            MoveRecord m = now.get(i);
            if (m.state() != MoveState.PENDING
                    || staged.containsKey(i)
                    || stagingTo.contains(m.destination())) {
                continue;
            }
            Optional<ZoneRecord> zone = registry.findZone(m.zone());
            if (zone.isEmpty() || zone.get().definition().disk() != null) {
                continue;
            }
            long bytes = zone.get().definition().memoryMiB() << 20;
            if (free.getOrDefault(m.destination(), 0L) < bytes) {
                continue;
            }
            free.merge(m.destination(), -bytes, Long::sum);
            stagingTo.add(m.destination());
            ZoneDefinition definition = zone.get().definition();
            AgentGateway dst = agents.apply(m.destination());
            staged.put(
                    i,
                    threads.submit(
                            () -> dst.prepareIncoming(new IncomingRequest(definition, settings))));
            log.debug(
                    "plan {}: destination of {} on {} staged ahead",
                    plan,
                    m.zone(),
                    m.destination());
        }
    }

    /** The staged destination of move {@code i}, if it was staged and came up. */
    Optional<IncomingTicket> take(int i) {
        var f = staged.remove(i);
        if (f == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(f.get());
        } catch (Exception e) {
            log.debug("staged destination of move {} unusable: {}", i, e.toString());
            return Optional.empty();
        }
    }

    /** Staged destinations whose moves never started (cancel, timeout, failure) are removed. */
    void discardAll(List<MoveRecord> moves) {
        for (int i : List.copyOf(staged.keySet())) {
            MoveRecord m = moves.get(i);
            if (take(i).isPresent()) {
                try {
                    agents.apply(m.destination()).discardIncoming(m.zone());
                } catch (RuntimeException e) {
                    log.warn(
                            "could not discard staged {} on {}: {}",
                            m.zone(),
                            m.destination(),
                            e.getMessage());
                }
            }
        }
    }
}
