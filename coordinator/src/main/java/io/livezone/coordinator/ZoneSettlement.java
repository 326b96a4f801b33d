package io.livezone.coordinator;

import io.livezone.coordinator.plan.MoveRecord;
import io.livezone.coordinator.plan.PlanExecutor;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * After a coordinator restart: zones its previous run left being created ({@code STAGING}) or moved
 * outside any plan ({@code MIGRATING}: a hibernated zone resumed on another host, a disk pull) are
 * settled from what the agents' QEMU processes say, never left in that state forever. Zones of
 * plans are the plans' recovery's ({@code MoveTransaction.recover}).
 */
final class ZoneSettlement {
    private static final Logger log = LoggerFactory.getLogger(ZoneSettlement.class);

    private final Registry registry;
    private final Function<String, AgentGateway> agents;
    private final PlanExecutor plans;

    ZoneSettlement(Registry registry, Function<String, AgentGateway> agents, PlanExecutor plans) {
        this.registry = registry;
        this.agents = agents;
        this.plans = plans;
    }

    /** Whether a zone's stored state is one only a running operation can leave. */
    static boolean unsettled(ZoneRecord z) {
        return z.state() == ZoneLifecycle.STAGING || z.state() == ZoneLifecycle.MIGRATING;
    }

    /**
     * Settles the unsettled zones of {@code which} that no plan owns; returns the names it could
     * not decide yet (a host did not answer, a copy still migrating), to be tried again.
     */
    Set<String> settle(java.util.function.Predicate<String> which) {
        Set<String> moving = new HashSet<>();
        for (PlanRecord p : plans.plans()) {
            for (MoveRecord m : p.moves()) {
                if (!m.state().finished()) {
                    moving.add(m.zone());
                }
            }
        }
        Map<String, List<ZoneStatus>> reports = new TreeMap<>();
        Set<String> unreachable = new HashSet<>();
        for (HostRecord h : registry.hosts()) {
            try {
                reports.put(h.name(), agents.apply(h.name()).zones());
            } catch (RuntimeException e) {
                unreachable.add(h.name());
            }
        }
        Set<String> undecided = new HashSet<>();
        for (ZoneRecord z : registry.zones()) {
            if (!unsettled(z) || moving.contains(z.name()) || !which.test(z.name())) {
                continue;
            }
            Optional<ZoneRecord> settled = decide(z, reports, unreachable);
            if (settled.isPresent()) {
                registry.putZone(settled.get());
                log.info(
                        "zone {} was {} when the coordinator stopped: now {} on {}{}",
                        z.name(),
                        z.state(),
                        settled.get().state(),
                        settled.get().host(),
                        settled.get().reason() == null ? "" : " (" + settled.get().reason() + ")");
            } else {
                undecided.add(z.name());
                log.warn(
                        "zone {} stays {}: hosts {} do not answer or it is still moving",
                        z.name(),
                        z.state(),
                        unreachable);
            }
        }
        return undecided;
    }

    /**
     * Where an interrupted zone really is: running on one host (the registry names it), else
     * hibernated on one, else — when every host answered and none has it — failed, saying why.
     * Empty: cannot tell yet (a host does not answer, or a copy is still migrating).
     */
    static Optional<ZoneRecord> decide(
            ZoneRecord z, Map<String, List<ZoneStatus>> reports, Set<String> unreachable) {
        Map<ZoneState, List<String>> where = new TreeMap<>();
        reports.forEach(
                (host, zones) ->
                        zones.stream()
                                .filter(s -> s.zone().equals(z.name()))
                                .forEach(
                                        s ->
                                                where.computeIfAbsent(
                                                                s.state(),
                                                                k -> new java.util.ArrayList<>())
                                                        .add(host)));
        List<String> running = where.getOrDefault(ZoneState.RUNNING, List.of());
        if (running.size() == 1) {
            return Optional.of(z.on(running.get(0), ZoneLifecycle.RUNNING));
        }
        if (running.size() > 1) {
            return Optional.of(
                    z.because(ZoneLifecycle.LOST, "runs on " + running + ": an operator decides"));
        }
        if (where.containsKey(ZoneState.MIGRATING) || !unreachable.isEmpty()) {
            return Optional.empty();
        }
        List<String> suspended = where.getOrDefault(ZoneState.SUSPENDED, List.of());
        if (!suspended.isEmpty()) {
            String host = suspended.contains(z.host()) ? z.host() : suspended.get(0);
            return Optional.of(z.on(host, ZoneLifecycle.HIBERNATING));
        }
        return Optional.of(
                z.because(
                        ZoneLifecycle.FAILED,
                        (z.state() == ZoneLifecycle.STAGING ? "its creation" : "its move")
                                + " was interrupted by a coordinator restart and no host runs it"
                                + (where.isEmpty() ? "" : " (copies: " + where + ")")));
    }
}
