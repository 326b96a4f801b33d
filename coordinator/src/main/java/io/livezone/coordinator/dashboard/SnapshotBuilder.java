package io.livezone.coordinator.dashboard;

import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.dashboard.DashboardSnapshot.HostView;
import io.livezone.coordinator.dashboard.DashboardSnapshot.MoveView;
import io.livezone.coordinator.dashboard.DashboardSnapshot.PlanView;
import io.livezone.coordinator.dashboard.DashboardSnapshot.PolicyView;
import io.livezone.coordinator.dashboard.DashboardSnapshot.QosView;
import io.livezone.coordinator.dashboard.DashboardSnapshot.ZoneRtt;
import io.livezone.coordinator.dashboard.DashboardSnapshot.ZoneView;
import io.livezone.coordinator.plan.MoveRecord;
import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.policy.PolicyDecision;
import io.livezone.coordinator.policy.ZoneMappingSettings;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.core.MigrationProgress;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.MigrationSettings;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Assembles a {@link DashboardSnapshot} from the registry, the plans and the policies. */
final class SnapshotBuilder {
    /** How many finished plans the history shows. */
    static final int PLAN_HISTORY = 15;

    /** A host's NIC counters at its last report, and the rates derived from the one before. */
    private record NicSample(long atMillis, long rx, long tx, double rxRate, double txRate) {}

    private final Coordinator coordinator;
    private final LiveProgress progress;
    private final Map<String, NicSample> nic = new HashMap<>();

    SnapshotBuilder(Coordinator coordinator, LiveProgress progress) {
        this.coordinator = coordinator;
        this.progress = progress;
    }

    synchronized DashboardSnapshot build(
            long now, ClientQos.Result qos, List<PolicyDecision> decisions) {
        var registry = coordinator.registry();
        List<ZoneRecord> zones = registry.zones();
        List<HostView> hosts = new ArrayList<>();
        for (HostRecord h : registry.hosts()) {
            hosts.add(host(h, zones));
        }
        Map<String, Integer> failures = new HashMap<>();
        registry.failures().forEach(f -> failures.merge(f.zone(), 1, Integer::sum));
        List<ZoneView> zoneViews = new ArrayList<>();
        for (ZoneRecord z : zones) {
            Optional<ZoneRtt> rtt = qos.zone(z.name());
            zoneViews.add(
                    new ZoneView(
                            z.name(),
                            z.host(),
                            z.state(),
                            z.definition().memoryMiB(),
                            z.definition().address(),
                            rtt.map(ZoneRtt::clients).orElse(0),
                            rtt.map(ZoneRtt::p50Ms).orElse(null),
                            rtt.map(ZoneRtt::p90Ms).orElse(null),
                            z.reason(),
                            z.definition().restart().id(),
                            failures.getOrDefault(z.name(), 0)));
        }
        List<PlanRecord> plans = new ArrayList<>(coordinator.plans().plans());
        plans.sort(Comparator.comparingLong(PlanRecord::id).reversed());
        List<MoveView> moves = new ArrayList<>();
        Set<String> migrating = new HashSet<>();
        for (PlanRecord p : plans) {
            if (p.state() != PlanRecord.PlanState.RUNNING) {
                continue;
            }
            for (MoveRecord m : p.moves()) {
                if (!m.state().finished()) {
                    if (m.state() == MoveState.MIGRATING) {
                        migrating.add(m.zone());
                    }
                    moves.add(move(p, m, now));
                }
            }
        }
        progress.retain(migrating);
        ZoneMappingSettings zm = coordinator.zoneMapping().settings();
        PolicyView zoneMapping =
                new PolicyView(
                        "zone-mapping",
                        zm.enabled(),
                        String.format(
                                "moves zones so that at least %.0f %% of players are under %.0f ms"
                                        + " RTT; looks every %d s",
                                zm.qosTarget() * 100, zm.rttThresholdMs(), zm.periodSeconds()),
                        zm,
                        coordinator.latencies().size(),
                        decisions);
        return new DashboardSnapshot(
                now,
                registry.sites(),
                registry.links(),
                hosts,
                zoneViews,
                moves,
                plans.stream().limit(PLAN_HISTORY).map(PlanView::of).toList(),
                List.of(zoneMapping),
                new QosView(
                        zm.rttThresholdMs(), qos.sample(), ClientQos.BUCKET_EDGES_MS, qos.zones()),
                MigrationSettings.DEFAULT);
    }

    private HostView host(HostRecord h, List<ZoneRecord> zones) {
        HostLoad load = h.load();
        NicSample rates = null;
        if (load != null) {
            NicSample before = nic.get(h.name());
            if (before != null && before.atMillis() == h.lastSeenMillis()) {
                rates = before;
            } else {
                double dt = before == null ? 0 : (h.lastSeenMillis() - before.atMillis()) / 1000.0;
                rates =
                        new NicSample(
                                h.lastSeenMillis(),
                                load.nicRxBytes(),
                                load.nicTxBytes(),
                                dt > 0 ? Math.max(0, load.nicRxBytes() - before.rx()) / dt : 0,
                                dt > 0 ? Math.max(0, load.nicTxBytes() - before.tx()) / dt : 0);
                nic.put(h.name(), rates);
            }
        }
        return new HostView(
                h.name(),
                h.site(),
                h.state(),
                h.lastSeenMillis(),
                load == null ? 0 : load.cpuPercent(),
                load == null ? 0 : load.memoryUsedBytes(),
                h.memoryBytes(),
                h.nicBytesPerSec(),
                rates == null ? 0 : rates.rxRate(),
                rates == null ? 0 : rates.txRate(),
                zones.stream()
                        .filter(z -> h.name().equals(z.host()))
                        .map(ZoneRecord::name)
                        .toList());
    }

    private MoveView move(PlanRecord plan, MoveRecord m, long now) {
        Optional<MigrationProgress> live =
                m.state() == MoveState.MIGRATING
                        ? progress.of(m.source(), m.zone())
                        : Optional.empty();
        double bytesPerSec = live.map(p -> p.mbps() * 1e6 / 8).orElse(0.0);
        // Only after the first full pass is what remains the dirtied memory the switchover must
        // send (QEMU's own expected-downtime is the same quotient).
        Long expectedDowntime =
                live.filter(
                                p ->
                                        p.status().equals("active")
                                                && p.dirtySyncCount() >= 2
                                                && bytesPerSec > 0)
                        .map(p -> Math.round(p.remainingBytes() / bytesPerSec * 1000))
                        .orElse(null);
        return new MoveView(
                plan.id(),
                plan.algorithm(),
                m.zone(),
                m.source(),
                m.destination(),
                m.state(),
                phase(m.state(), live),
                live.map(MigrationProgress::percent).orElse(m.percent()),
                live.map(MigrationProgress::transferredBytes).orElse(m.transferredBytes()),
                live.map(MigrationProgress::totalBytes).orElse(0L),
                bytesPerSec,
                expectedDowntime,
                plan.settings().downtimeLimitMs(),
                m.startedMillis() > 0 ? now - m.startedMillis() : 0);
    }

    /** The phase in an operator's words, from the move's state and QEMU's migration status. */
    static String phase(MoveState state, Optional<MigrationProgress> live) {
        return switch (state) {
            case PENDING -> "waiting";
            case PREPARING -> "preparing destination";
            case MIGRATING ->
                    live.map(
                                    p ->
                                            switch (p.status()) {
                                                case "disk-mirror" -> "storage mirror";
                                                case "active" ->
                                                        "pre-copy round "
                                                                + Math.max(1, p.dirtySyncCount());
                                                case "device", "pre-switchover", "completed" ->
                                                        "switchover";
                                                default -> "pre-copy (" + p.status() + ")";
                                            })
                            .orElse("pre-copy");
            case POSTCOPY -> "post-copy";
            case COMMITTING -> "commit";
            case DONE -> "done";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
        };
    }
}
