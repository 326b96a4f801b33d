package io.livezone.coordinator.metrics;

import com.sun.net.httpserver.HttpExchange;

import io.livezone.coordinator.plan.MoveRecord;
import io.livezone.coordinator.plan.PlanExecutor;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.policy.ConductorBoard;
import io.livezone.coordinator.policy.LiveQos;
import io.livezone.coordinator.policy.PolicyDecision;
import io.livezone.coordinator.policy.ZoneMappingRunner;
import io.livezone.coordinator.registry.FailureRecord;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.core.cluster.ConductorStatus;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.ZoneLoad;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster as Prometheus metrics, read from the coordinator's own state at each scrape: hosts'
 * and zones' load from the agents' heartbeats, zone placement, plans and moves, the players' QoS as
 * zone mapping sees it, and the load-balancing conductors' reports. Hosts, zones and conductors
 * come and go, so each family is a {@link MultiGauge} whose rows are replaced at every scrape; a
 * family keeps the same label names throughout, as Prometheus requires.
 */
public final class ClusterMetrics {
    private static final Logger log = LoggerFactory.getLogger(ClusterMetrics.class);

    /** Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Registry registry;
    private final PlanExecutor plans;
    private final ZoneMappingRunner zoneMapping;
    private final ConductorBoard conductors;
    private final PrometheusMeterRegistry prometheus =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private final MultiGauge hostUp;
    private final MultiGauge hostCpu;
    private final MultiGauge hostMemoryUsed;
    private final MultiGauge hostMemoryTotal;
    private final MultiGauge hostZones;
    private final MultiGauge zonePlacement;
    private final MultiGauge zoneCpu;
    private final MultiGauge zoneResident;
    private final MultiGauge zoneMemory;
    private final MultiGauge zoneClients;
    private final MultiGauge zoneRttMean;
    private final MultiGauge zoneRttMax;
    private final MultiGauge zoneQos;
    private final MultiGauge qos;
    private final MultiGauge qosThreshold;
    private final MultiGauge policyQos;
    private final MultiGauge planCount;
    private final MultiGauge moveCount;
    private final MultiGauge conductorMembers;
    private final MultiGauge conductorLoad;
    private final MultiGauge conductorReportAge;
    private final MultiGauge conductorProposals;
    private final MultiGauge conductorMigrations;

    /** NIC counters are registered once per host and read the last scrape's heartbeat. */
    private final Set<String> nicCounters = new HashSet<>();

    /**
     * Zone failure counters, one per zone and host it failed on, registered at the first failure
     * and read from the registry's failure history (which survives coordinator restarts); removed
     * with the zone, whose history goes with it.
     */
    private final Map<List<String>, Meter> failureCounters = new HashMap<>();

    private volatile Map<List<String>, Long> failureCounts = Map.of();

    private volatile Map<String, HostLoad> loads = Map.of();

    public ClusterMetrics(
            Registry registry,
            PlanExecutor plans,
            ZoneMappingRunner zoneMapping,
            ConductorBoard conductors) {
        this.registry = registry;
        this.plans = plans;
        this.zoneMapping = zoneMapping;
        this.conductors = conductors;
        hostUp = gauge("livezone.host.up", null, "1 while the host's agent heartbeats");
        hostCpu =
                gauge(
                        "livezone.host.cpu",
                        "percent",
                        "CPU of the host's zone VMs, % of one CPU, from its last heartbeat");
        hostMemoryUsed = gauge("livezone.host.memory.used", "bytes", "memory of its zone VMs");
        hostMemoryTotal = gauge("livezone.host.memory.total", "bytes", "the host's memory");
        hostZones = gauge("livezone.host.zones", null, "zones the registry places on the host");
        zonePlacement =
                gauge(
                        "livezone.zone.placement",
                        null,
                        "1 for the host the registry places the zone on, with its lifecycle state");
        zoneCpu =
                gauge(
                        "livezone.zone.cpu",
                        "percent",
                        "CPU of the zone's VM on a host, % of one CPU, from the host's heartbeat");
        zoneResident = gauge("livezone.zone.memory.resident", "bytes", "the VM's resident memory");
        zoneMemory = gauge("livezone.zone.memory.guest", "bytes", "the zone's guest memory");
        zoneClients =
                gauge("livezone.zone.clients", null, "clients of the zone reporting their RTT");
        zoneRttMean =
                gauge(
                        "livezone.zone.client.rtt.mean",
                        "seconds",
                        "mean RTT of the zone's clients to the site it runs in");
        zoneRttMax =
                gauge(
                        "livezone.zone.client.rtt.max",
                        "seconds",
                        "largest RTT of the zone's clients to the site it runs in");
        zoneQos =
                gauge(
                        "livezone.zone.qos",
                        null,
                        "share of the zone's clients whose RTT is below zone mapping's threshold");
        qos =
                gauge(
                        "livezone.qos",
                        null,
                        "share of all clients whose RTT is below zone mapping's threshold");
        qosThreshold = gauge("livezone.qos.threshold", "seconds", "zone mapping's RTT threshold");
        policyQos =
                gauge("livezone.policy.qos", null, "QoS before and after a policy's last decision");
        planCount = gauge("livezone.plans", null, "migration plans by state");
        moveCount = gauge("livezone.moves", null, "moves of all plans by state");
        conductorMembers =
                gauge(
                        "livezone.conductor.members",
                        null,
                        "members of the load-balancing group as the host's conductor sees it");
        conductorLoad =
                gauge(
                        "livezone.conductor.load",
                        "percent",
                        "the load the host's conductor broadcasts (smoothed zone CPU)");
        conductorReportAge =
                gauge(
                        "livezone.conductor.report.age",
                        "seconds",
                        "time since the host's conductor last reported");
        conductorProposals =
                gauge(
                        "livezone.conductor.proposals",
                        null,
                        "transfer proposals of the host's conductor since it started, by outcome");
        conductorMigrations =
                gauge(
                        "livezone.conductor.migrations",
                        null,
                        "moves the host's conductor sent, failed to send or received since it"
                                + " started");
    }

    private MultiGauge gauge(String name, String unit, String description) {
        MultiGauge.Builder b = MultiGauge.builder(name).description(description);
        if (unit != null) {
            b.baseUnit(unit);
        }
        return b.register(prometheus);
    }

    /** The metrics now, in the Prometheus text format. */
    public synchronized String scrape() {
        refresh(System.currentTimeMillis());
        return prometheus.scrape();
    }

    /** Answers a {@code GET /metrics}. */
    public void serve(HttpExchange exchange) throws IOException {
        byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private void refresh(long now) {
        List<HostRecord> hosts = registry.hosts();
        List<ZoneRecord> zones = registry.zones();
        refreshHosts(hosts, zones);
        refreshZones(hosts, zones);
        refreshQos(now);
        refreshPlans();
        refreshConductors(now);
    }

    private void refreshHosts(List<HostRecord> hosts, List<ZoneRecord> zones) {
        Map<String, Integer> placed = new TreeMap<>();
        for (ZoneRecord z : zones) {
            placed.merge(z.host(), 1, Integer::sum);
        }
        List<MultiGauge.Row<?>> up = new ArrayList<>();
        List<MultiGauge.Row<?>> cpu = new ArrayList<>();
        List<MultiGauge.Row<?>> used = new ArrayList<>();
        List<MultiGauge.Row<?>> total = new ArrayList<>();
        List<MultiGauge.Row<?>> count = new ArrayList<>();
        Map<String, HostLoad> latest = new TreeMap<>();
        for (HostRecord h : hosts) {
            Tags tags = Tags.of("host", h.name(), "site", h.site());
            up.add(MultiGauge.Row.of(tags, h.state() == HostRecord.HostState.UP ? 1 : 0));
            count.add(MultiGauge.Row.of(tags, placed.getOrDefault(h.name(), 0)));
            total.add(
                    MultiGauge.Row.of(
                            tags,
                            h.load() == null ? h.memoryBytes() : h.load().memoryTotalBytes()));
            if (h.load() == null) {
                continue;
            }
            latest.put(h.name(), h.load());
            cpu.add(MultiGauge.Row.of(tags, h.load().cpuPercent()));
            used.add(MultiGauge.Row.of(tags, h.load().memoryUsedBytes()));
            if (nicCounters.add(h.name())) {
                registerNicCounters(h.name(), tags);
            }
        }
        loads = latest;
        hostUp.register(up, true);
        hostCpu.register(cpu, true);
        hostMemoryUsed.register(used, true);
        hostMemoryTotal.register(total, true);
        hostZones.register(count, true);
    }

    private void registerNicCounters(String host, Tags tags) {
        FunctionCounter.builder(
                        "livezone.host.nic.received", this, m -> nic(m.loads.get(host), true))
                .baseUnit("bytes")
                .description("bytes received on the host's cluster interface")
                .tags(tags)
                .register(prometheus);
        FunctionCounter.builder(
                        "livezone.host.nic.transmitted", this, m -> nic(m.loads.get(host), false))
                .baseUnit("bytes")
                .description("bytes sent on the host's cluster interface")
                .tags(tags)
                .register(prometheus);
    }

    private static double nic(HostLoad load, boolean received) {
        if (load == null) {
            return 0;
        }
        return received ? load.nicRxBytes() : load.nicTxBytes();
    }

    private void refreshZones(List<HostRecord> hosts, List<ZoneRecord> zones) {
        List<MultiGauge.Row<?>> placement = new ArrayList<>();
        for (ZoneRecord z : zones) {
            placement.add(
                    MultiGauge.Row.of(
                            Tags.of(
                                    "zone",
                                    z.name(),
                                    "host",
                                    String.valueOf(z.host()),
                                    "state",
                                    z.state().name()),
                            1));
        }
        zonePlacement.register(placement, true);
        refreshFailures();
        List<MultiGauge.Row<?>> cpu = new ArrayList<>();
        List<MultiGauge.Row<?>> resident = new ArrayList<>();
        List<MultiGauge.Row<?>> memory = new ArrayList<>();
        for (HostRecord h : hosts) {
            if (h.load() == null || h.state() != HostRecord.HostState.UP) {
                continue;
            }
            for (ZoneLoad z : h.load().zones()) {
                Tags tags = Tags.of("zone", z.zone(), "host", h.name());
                cpu.add(MultiGauge.Row.of(tags, z.cpuPercent()));
                resident.add(MultiGauge.Row.of(tags, z.residentBytes()));
                memory.add(MultiGauge.Row.of(tags, z.memoryBytes()));
            }
        }
        zoneCpu.register(cpu, true);
        zoneResident.register(resident, true);
        zoneMemory.register(memory, true);
    }

    private void refreshFailures() {
        Map<List<String>, Long> counts = new HashMap<>();
        for (FailureRecord f : registry.failures()) {
            counts.merge(List.of(f.zone(), f.host()), 1L, Long::sum);
        }
        failureCounts = counts;
        for (List<String> key : counts.keySet()) {
            failureCounters.computeIfAbsent(
                    key,
                    k ->
                            FunctionCounter.builder(
                                            "livezone.zone.failures",
                                            this,
                                            m -> m.failureCounts.getOrDefault(k, 0L))
                                    .description(
                                            "deaths of the zone's VM on the host outside a"
                                                    + " migration (process gone, hung, guest"
                                                    + " panicked)")
                                    .tags("zone", k.get(0), "host", k.get(1))
                                    .register(prometheus));
        }
        failureCounters
                .entrySet()
                .removeIf(
                        e -> {
                            if (counts.containsKey(e.getKey())) {
                                return false;
                            }
                            prometheus.remove(e.getValue());
                            return true;
                        });
    }

    private void refreshQos(long now) {
        List<MultiGauge.Row<?>> clients = new ArrayList<>();
        List<MultiGauge.Row<?>> mean = new ArrayList<>();
        List<MultiGauge.Row<?>> max = new ArrayList<>();
        List<MultiGauge.Row<?>> perZone = new ArrayList<>();
        List<MultiGauge.Row<?>> overall = new ArrayList<>();
        List<MultiGauge.Row<?>> threshold = new ArrayList<>();
        try {
            LiveQos.Report report = LiveQos.measure(zoneMapping, now);
            for (LiveQos.ZoneQos z : report.zones()) {
                Tags tags = Tags.of("zone", z.zone(), "host", z.host());
                clients.add(MultiGauge.Row.of(tags, z.clients()));
                perZone.add(MultiGauge.Row.of(tags, z.qos()));
                if (z.withRtt() > 0) {
                    mean.add(MultiGauge.Row.of(tags, z.meanRttMs() / 1000));
                    max.add(MultiGauge.Row.of(tags, z.maxRttMs() / 1000));
                }
            }
            overall.add(MultiGauge.Row.of(Tags.empty(), report.overall()));
            threshold.add(MultiGauge.Row.of(Tags.empty(), report.thresholdMs() / 1000));
        } catch (RuntimeException e) {
            // E.g. a registry briefly over a host's capacity mid-move: skip QoS this scrape.
            log.debug("QoS not measurable now: {}", e.getMessage());
        }
        zoneClients.register(clients, true);
        zoneRttMean.register(mean, true);
        zoneRttMax.register(max, true);
        zoneQos.register(perZone, true);
        qos.register(overall, true);
        qosThreshold.register(threshold, true);
        List<MultiGauge.Row<?>> decided = new ArrayList<>();
        zoneMapping
                .last()
                .ifPresent(
                        (PolicyDecision d) -> {
                            decided.add(
                                    MultiGauge.Row.of(
                                            Tags.of("policy", d.policy(), "when", "before"),
                                            d.qosBefore()));
                            decided.add(
                                    MultiGauge.Row.of(
                                            Tags.of("policy", d.policy(), "when", "after"),
                                            d.qosAfter()));
                        });
        policyQos.register(decided, true);
    }

    private void refreshPlans() {
        Map<String, Integer> planStates = new TreeMap<>();
        Map<String, Integer> moveStates = new TreeMap<>();
        for (PlanRecord.PlanState s : PlanRecord.PlanState.values()) {
            planStates.put(s.name(), 0);
        }
        for (MoveRecord.MoveState s : MoveRecord.MoveState.values()) {
            moveStates.put(s.name(), 0);
        }
        for (PlanRecord p : plans.plans()) {
            planStates.merge(p.state().name(), 1, Integer::sum);
            for (MoveRecord m : p.moves()) {
                moveStates.merge(m.state().name(), 1, Integer::sum);
            }
        }
        List<MultiGauge.Row<?>> planRows = new ArrayList<>();
        planStates.forEach((s, n) -> planRows.add(MultiGauge.Row.of(Tags.of("state", s), n)));
        List<MultiGauge.Row<?>> moveRows = new ArrayList<>();
        moveStates.forEach((s, n) -> moveRows.add(MultiGauge.Row.of(Tags.of("state", s), n)));
        planCount.register(planRows, true);
        moveCount.register(moveRows, true);
    }

    private void refreshConductors(long now) {
        List<MultiGauge.Row<?>> members = new ArrayList<>();
        List<MultiGauge.Row<?>> load = new ArrayList<>();
        List<MultiGauge.Row<?>> age = new ArrayList<>();
        List<MultiGauge.Row<?>> proposals = new ArrayList<>();
        List<MultiGauge.Row<?>> migrations = new ArrayList<>();
        for (ConductorBoard.Entry e : conductors.entries(now)) {
            ConductorStatus s = e.status();
            Tags host = Tags.of("host", s.host());
            members.add(MultiGauge.Row.of(host, s.members().size()));
            load.add(MultiGauge.Row.of(host, s.loadPct()));
            age.add(MultiGauge.Row.of(host, e.ageMillis() / 1000.0));
            proposals.add(MultiGauge.Row.of(host.and("outcome", "sent"), s.proposalsSent()));
            proposals.add(
                    MultiGauge.Row.of(host.and("outcome", "accepted"), s.proposalsAccepted()));
            proposals.add(MultiGauge.Row.of(host.and("outcome", "refused"), s.proposalsRefused()));
            migrations.add(MultiGauge.Row.of(host.and("kind", "sent"), s.migrationsSent()));
            migrations.add(MultiGauge.Row.of(host.and("kind", "failed"), s.migrationsFailed()));
            migrations.add(MultiGauge.Row.of(host.and("kind", "received"), s.migrationsReceived()));
        }
        conductorMembers.register(members, true);
        conductorLoad.register(load, true);
        conductorReportAge.register(age, true);
        conductorProposals.register(proposals, true);
        conductorMigrations.register(migrations, true);
    }
}
