package io.livezone.coordinator.policy;

import io.livezone.coordinator.plan.PlanExecutor;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.core.snapshot.ClusterSnapshot;
import io.livezone.core.snapshot.ServerInfo;
import io.livezone.core.snapshot.ZonePlacement;
import io.livezone.policy.ZoneMappingConfig;
import io.livezone.policy.ZoneMappingDecision;
import io.livezone.policy.ZoneMappingPolicy;
import io.livezone.policy.ZoneMove;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live side of zone mapping (zone migration paper §6.3): builds a {@link ClusterSnapshot} from
 * the registry and the players' reported RTTs, asks the pure {@link ZoneMappingPolicy}, and hands
 * its moves to the plan executor (schedule "auto"). One plan at a time: while its last plan runs, a
 * round only reports.
 */
public final class ZoneMappingRunner {
    private static final Logger log = LoggerFactory.getLogger(ZoneMappingRunner.class);

    private final Registry registry;
    private final PlanExecutor plans;
    private final ClientLatencyTable latencies;
    private final ZoneMappingPolicy policy = new ZoneMappingPolicy();
    private volatile ZoneMappingSettings settings = ZoneMappingSettings.DEFAULT;
    private volatile PolicyDecision last;
    private long lastPlan;
    private long lastRoundAt;

    public ZoneMappingRunner(Registry registry, PlanExecutor plans, ClientLatencyTable latencies) {
        this.registry = registry;
        this.plans = plans;
        this.latencies = latencies;
    }

    public ZoneMappingSettings settings() {
        return settings;
    }

    public void configure(ZoneMappingSettings s) {
        settings = s;
        log.info(
                "zone mapping {} (threshold {} ms, QoS target {})",
                s.enabled() ? "enabled" : "disabled",
                s.rttThresholdMs(),
                s.qosTarget());
    }

    public Optional<PolicyDecision> last() {
        return Optional.ofNullable(last);
    }

    /** Called every second; runs a round when enabled and the period has passed. */
    public void tick(long now) {
        ZoneMappingSettings s = settings;
        if (s.enabled() && now - lastRoundAt >= s.periodSeconds() * 1000) {
            round(now);
        }
    }

    /** One round now, whatever the period. */
    public synchronized PolicyDecision round(long now) {
        lastRoundAt = now;
        ZoneMappingSettings s = settings;
        Optional<PlanRecord> running =
                lastPlan == 0
                        ? Optional.empty()
                        : plans.plan(lastPlan)
                                .filter(p -> p.state() == PlanRecord.PlanState.RUNNING);
        ClusterSnapshot snapshot = snapshot(now);
        ZoneMappingDecision d =
                policy.decide(snapshot, new ZoneMappingConfig(s.rttThresholdMs(), s.qosTarget()));
        List<String> moves = d.moves().stream().map(ZoneMove::toString).toList();
        long planId = 0;
        String reason = d.reason();
        if (running.isPresent()) {
            reason = reason + " (plan " + lastPlan + " still running: no new moves)";
        } else if (d.migrates()) {
            List<PlanRequest.Move> list = new ArrayList<>();
            for (ZoneMove m : d.moves()) {
                list.add(new PlanRequest.Move(m.zoneId(), m.toServerId()));
            }
            try {
                planId = plans.submit(new PlanRequest("auto", list, null, 0)).id();
                lastPlan = planId;
            } catch (RuntimeException e) {
                reason = reason + " (plan rejected: " + e.getMessage() + ")";
            }
        }
        last =
                new PolicyDecision(
                        "zone-mapping", now, reason, d.qosBefore(), d.qosAfter(), moves, planId);
        log.info("zone mapping: {}", reason);
        return last;
    }

    /**
     * Servers are the hosts that are up; a server's capacity in zones is its memory over the
     * largest zone's; zones are those running on up hosts; clients those that reported recently.
     */
    ClusterSnapshot snapshot(long now) {
        long largest =
                registry.zones().stream()
                        .mapToLong(z -> z.definition().memoryMiB() << 20)
                        .max()
                        .orElse(1L << 30);
        List<ServerInfo> servers = new ArrayList<>();
        Map<String, String> siteOf = new HashMap<>();
        for (HostRecord h : registry.hosts()) {
            if (h.state() == HostRecord.HostState.UP) {
                servers.add(
                        new ServerInfo(
                                h.name(),
                                h.site(),
                                (int) Math.min(1000, h.memoryBytes() / largest)));
                siteOf.put(h.name(), h.site());
            }
        }
        List<ZonePlacement> placements = new ArrayList<>();
        for (ZoneRecord z : registry.zones()) {
            if (z.state() == ZoneRecord.ZoneLifecycle.RUNNING && siteOf.containsKey(z.host())) {
                placements.add(new ZonePlacement(z.name(), z.host()));
            }
        }
        var zones = placements.stream().map(ZonePlacement::zoneId).toList();
        var clients =
                latencies.clients(siteOf, now).stream()
                        .filter(c -> zones.contains(c.zoneId()))
                        .toList();
        return new ClusterSnapshot(servers, placements, clients);
    }
}
