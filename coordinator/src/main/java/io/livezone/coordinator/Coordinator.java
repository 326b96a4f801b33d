package io.livezone.coordinator;

import io.livezone.coordinator.health.ZoneHealthMonitor;
import io.livezone.coordinator.metrics.ClusterMetrics;
import io.livezone.coordinator.plan.PlanExecutor;
import io.livezone.coordinator.plan.PlanRecord.PlanState;
import io.livezone.coordinator.policy.ClientLatencyTable;
import io.livezone.coordinator.policy.ConductorBoard;
import io.livezone.coordinator.policy.ZoneMappingRunner;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.SiteLink;
import io.livezone.coordinator.registry.Store;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.Heartbeat;
import io.livezone.core.cluster.HttpAgentGateway;
import io.livezone.core.http.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The coordinator ("oracle"): registry of sites, hosts and zones, zone creation, migration plans,
 * and host liveness from heartbeats.
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final Registry registry;
    private final Function<String, AgentGateway> agents;
    private final ZoneService zones;
    private final PlanExecutor plans;
    private final long heartbeatTimeoutMillis;
    private final ClientLatencyTable latencies = new ClientLatencyTable(60_000);
    private final ZoneMappingRunner zoneMapping;
    private final ConductorBoard conductors = new ConductorBoard();
    private final ClusterMetrics metrics;
    private final ZoneHealthMonitor health;
    private volatile boolean ready;

    /** Zones the recovery left undecided, tried again with every sweep. */
    private volatile java.util.Set<String> undecided = java.util.Set.of();

    private final ScheduledExecutorService liveness =
            Executors.newScheduledThreadPool(2, Thread.ofVirtual().factory());

    public Coordinator(
            Store store,
            Ipv4Interface zoneGateway,
            long heartbeatTimeoutMillis,
            Function<Registry, Function<String, AgentGateway>> agentDirectory,
            PlanExecutor.DispatcherFactory dispatchers) {
        this.registry = new Registry(store);
        this.agents = agentDirectory.apply(registry);
        this.zones = new ZoneService(registry, agents, zoneGateway);
        this.plans = new PlanExecutor(registry, agents, dispatchers);
        this.heartbeatTimeoutMillis = heartbeatTimeoutMillis;
        this.zoneMapping = new ZoneMappingRunner(registry, plans, latencies);
        this.metrics = new ClusterMetrics(registry, plans, zoneMapping, conductors);
        this.health = new ZoneHealthMonitor(registry, agents);
        // A store with something in flight (a plan, a zone being created or moved) is settled by
        // recover() before this coordinator accepts changes; an empty or settled one at once.
        this.ready =
                registry.store().plans().stream().noneMatch(p -> p.state() == PlanState.RUNNING)
                        && registry.zones().stream().noneMatch(ZoneSettlement::unsettled);
        liveness.scheduleWithFixedDelay(
                () -> {
                    if (!ready) {
                        return; // its plans would act on a registry not yet settled
                    }
                    try {
                        zoneMapping.tick(System.currentTimeMillis());
                    } catch (RuntimeException e) {
                        log.warn("zone mapping round failed: {}", e.getMessage());
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        liveness.scheduleWithFixedDelay(
                () -> {
                    if (!ready) {
                        return; // before recovery every in-flight move would look stray
                    }
                    try {
                        if (!undecided.isEmpty()) {
                            // What recovery could not decide (a host did not answer) is decided
                            // once it can be; only those zones: others in between belong to
                            // operations of this run.
                            undecided =
                                    new ZoneSettlement(registry, agents, plans)
                                            .settle(undecided::contains);
                        }
                        plans.sweepStrays();
                    } catch (RuntimeException e) {
                        log.debug("stray arrival sweep incomplete: {}", e.getMessage());
                    }
                },
                5,
                5,
                TimeUnit.SECONDS);
        liveness.scheduleWithFixedDelay(
                () -> registry.expire(System.currentTimeMillis(), heartbeatTimeoutMillis),
                heartbeatTimeoutMillis,
                500,
                TimeUnit.MILLISECONDS);
    }

    /** Agents reached over HTTP at the URL each reported in its heartbeat. */
    public static Function<Registry, Function<String, AgentGateway>> httpAgents(String token) {
        return registry ->
                host -> {
                    HostRecord h = registry.host(host);
                    if (h.url() == null) {
                        throw ApiException.conflict(
                                "the agent of host " + host + " has never reported");
                    }
                    return new HttpAgentGateway(URI.create(h.url()), token);
                };
    }

    /** Registers the sites, hosts and links of a cluster config (idempotent). */
    public void apply(ClusterConfig config) {
        config.sites().forEach(s -> registry.addSite(s.name()));
        for (ClusterConfig.Site s : config.sites()) {
            for (ClusterConfig.Host h : s.hosts()) {
                registry.addHost(h.name(), s.name(), h.memoryBytes(), h.nicBytesPerSec());
            }
        }
        if (config.migrations() != null) {
            registry.setMigrationLimits(
                    new Registry.MigrationLimits(
                            config.migrations().outbound(),
                            config.migrations().inbound(),
                            config.migrations().cluster()));
        }
        for (ClusterConfig.Link l : config.links()) {
            registry.putLink(new SiteLink(l.between().get(0), l.between().get(1), l.settings()));
        }
    }

    /**
     * Continues the plans a previous coordinator left running and settles zones it left half
     * created or half moved outside any plan, from what the agents report (call once the agents
     * have reported back); then accepts changes.
     */
    public void recover() {
        plans.recover();
        undecided = new ZoneSettlement(registry, agents, plans).settle(zone -> true);
        ready = true;
        log.info("recovery done: accepting changes");
    }

    /** Refuses a change while recovery has not settled what a previous coordinator left. */
    public void requireReady() {
        if (!ready) {
            throw new ApiException(
                    503,
                    "the coordinator is recovering what its previous run left in flight; try"
                            + " again in a few seconds");
        }
    }

    public void heartbeat(Heartbeat hb) {
        if (registry.heartbeat(hb, System.currentTimeMillis())) {
            log.info("host {} is up ({})", hb.host(), hb.url());
            reconcile(hb.host());
        }
        health.onReports(hb.host(), hb.zones());
    }

    /**
     * A host (re)appeared: zones the registry had marked lost there are running again if its agent
     * says so. Zones the agent runs that the registry does not know are logged, not adopted.
     */
    private void reconcile(String host) {
        try {
            List<ZoneStatus> running = agents.apply(host).zones();
            for (ZoneRecord z : registry.zones()) {
                if (host.equals(z.host()) && z.state() == ZoneLifecycle.LOST) {
                    running.stream()
                            .filter(
                                    s ->
                                            s.zone().equals(z.name())
                                                    && s.state() == ZoneState.RUNNING)
                            .findFirst()
                            .ifPresent(s -> registry.putZone(z.in(ZoneLifecycle.RUNNING)));
                }
            }
            for (ZoneStatus s : running) {
                if (registry.findZone(s.zone()).isEmpty()) {
                    log.warn(
                            "host {} runs zone {} that the registry does not know", host, s.zone());
                }
            }
        } catch (RuntimeException e) {
            log.warn("could not reconcile host {}: {}", host, e.getMessage());
        }
    }

    public Registry registry() {
        return registry;
    }

    public ZoneService zones() {
        return zones;
    }

    public PlanExecutor plans() {
        return plans;
    }

    public ClientLatencyTable latencies() {
        return latencies;
    }

    public ZoneMappingRunner zoneMapping() {
        return zoneMapping;
    }

    /** What the hosts' load-balancing conductors last reported. */
    public ConductorBoard conductors() {
        return conductors;
    }

    public ClusterMetrics metrics() {
        return metrics;
    }

    public long heartbeatTimeoutMillis() {
        return heartbeatTimeoutMillis;
    }

    @Override
    public void close() {
        liveness.shutdownNow();
        health.close();
        plans.close();
        registry.store().close();
    }
}
