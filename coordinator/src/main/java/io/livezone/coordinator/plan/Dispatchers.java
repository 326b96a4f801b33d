package io.livezone.coordinator.plan;

import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.planner.Caps;
import io.livezone.planner.ExecutionState;
import io.livezone.planner.Host;
import io.livezone.planner.MigrationSchedule;
import io.livezone.planner.MigrationSchedulePolicy;
import io.livezone.planner.Move;
import io.livezone.planner.MoveStatus;
import io.livezone.planner.PlanInput;
import io.livezone.planner.SiteLink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the planner's schedule policies (parallel, sequential, auto) live: the plan's moves and the
 * registry's hosts, links and zone sizes become a {@link PlanInput}; as moves change state the
 * planner's {@link ExecutionState} is brought up to date and the schedule says what starts next.
 */
public final class Dispatchers {
    /**
     * A DVE zone rewrites a few MB of memory per second (measured: the 192 MiB zone with 10 bots
     * dirties ≈2–4 MB/s); the contention-aware schedule only needs the order of magnitude.
     */
    static final long ZONE_DIRTY_BYTES_PER_SEC = 3_000_000;

    /** Sites with no configured link are joined by an unconstrained one (nothing emulated). */
    static final long UNLIMITED_LINK = 100_000_000_000L;

    private Dispatchers() {}

    public static MoveDispatcher create(
            String algorithm, Registry registry, List<MoveRecord> moves) {
        MigrationSchedulePolicy policy = MigrationSchedulePolicy.byName(algorithm);
        PlanInput input = input(registry, moves);
        MigrationSchedule schedule = policy.createSchedule(input);
        return new Adapter(schedule, ExecutionState.of(input));
    }

    static PlanInput input(Registry registry, List<MoveRecord> moves) {
        List<Host> hosts = new ArrayList<>();
        for (HostRecord h : registry.hosts()) {
            hosts.add(new Host(h.name(), h.site(), h.nicBytesPerSec(), h.memoryBytes()));
        }
        List<SiteLink> links = new ArrayList<>();
        List<String> sites = registry.sites();
        for (int i = 0; i < sites.size(); i++) {
            for (int j = i + 1; j < sites.size(); j++) {
                LinkSettings l = linkBetweenSites(registry, sites.get(i), sites.get(j));
                links.add(
                        new SiteLink(
                                sites.get(i),
                                sites.get(j),
                                l.bytesPerSec() > 0 ? l.bytesPerSec() : UNLIMITED_LINK,
                                2.0 * l.latencyMs()));
            }
        }
        Map<String, Long> used = new HashMap<>();
        Map<String, Long> memory = new HashMap<>();
        for (ZoneRecord z : registry.zones()) {
            long bytes = z.definition().memoryMiB() << 20;
            memory.put(z.name(), bytes);
            used.merge(z.host(), bytes, Long::sum);
        }
        // A move that already finished (a resumed plan) counts where its zone is now.
        List<Move> planned = new ArrayList<>();
        for (MoveRecord m : moves) {
            planned.add(
                    new Move(
                            m.zone(),
                            m.source(),
                            m.destination(),
                            memory.getOrDefault(m.zone(), 0L),
                            0,
                            ZONE_DIRTY_BYTES_PER_SEC));
        }
        for (MoveRecord m : moves) {
            if (m.state() == MoveState.DONE) {
                long bytes = memory.getOrDefault(m.zone(), 0L);
                used.merge(m.destination(), -bytes, Long::sum);
                used.merge(m.source(), bytes, Long::sum);
            }
        }
        used.values().removeIf(v -> v == 0);
        var l = registry.migrationLimits();
        return new PlanInput(
                hosts,
                links,
                planned,
                used,
                new Caps(l.perHostOutbound(), l.perHostInbound(), l.perCluster(), 0));
    }

    private static LinkSettings linkBetweenSites(Registry registry, String a, String b) {
        return registry.links().stream()
                .filter(l -> l.joins(a, b))
                .map(io.livezone.coordinator.registry.SiteLink::settings)
                .findFirst()
                .orElse(LinkSettings.NONE);
    }

    /** Keeps the planner's execution state in step with the live moves. */
    private static final class Adapter implements MoveDispatcher {
        private final MigrationSchedule schedule;
        private final ExecutionState state;

        Adapter(MigrationSchedule schedule, ExecutionState state) {
            this.schedule = schedule;
            this.state = state;
        }

        @Override
        public synchronized List<Integer> startNow(List<MoveRecord> moves) {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < moves.size(); i++) {
                MoveRecord m = moves.get(i);
                index.put(m.zone(), i);
                sync(m);
            }
            List<Integer> out = new ArrayList<>();
            for (Move m : schedule.movesToStart(state)) {
                Integer i = index.get(m.zone());
                if (i != null && moves.get(i).state() == MoveState.PENDING) {
                    out.add(i);
                }
            }
            return out;
        }

        private void sync(MoveRecord m) {
            MoveStatus now = state.status(m.zone());
            MoveState live = m.state();
            if (now == MoveStatus.PENDING && (live.inFlight() || live == MoveState.DONE)) {
                state.started(m.zone());
                now = MoveStatus.RUNNING;
            }
            if (now == MoveStatus.RUNNING && live == MoveState.DONE) {
                state.finished(m.zone());
            } else if ((now == MoveStatus.PENDING || now == MoveStatus.RUNNING)
                    && (live == MoveState.FAILED || live == MoveState.CANCELLED)) {
                state.failed(m.zone());
            }
        }
    }
}
