package io.livezone.coordinator.testing;

import io.livezone.coordinator.plan.Dispatchers;
import io.livezone.coordinator.plan.PlanExecutor;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.SiteLink;
import io.livezone.coordinator.registry.Store;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.core.MacAddress;
import io.livezone.core.ZoneState;
import io.livezone.core.cluster.Heartbeat;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.ZoneDefinition;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A coordinator's registry over an in-memory store with fake agents: site eu with hosts h1 and h2,
 * site us with host h3, every host 1 GiB and 1 Gbit/s and up, eu and us joined by {@link #EU_US}.
 */
public final class TestCluster implements AutoCloseable {
    public static final long HOST_MEMORY = 1L << 30;
    public static final long NIC = 125_000_000L;
    public static final LinkSettings EU_US = new LinkSettings(20, 2, 12_500_000);
    public static final long ZONE_MIB = 192;

    public final Store store;
    public final Registry registry;
    public final FakeAgents agents;
    private final boolean ownsStore;
    private final List<PlanExecutor> executors = new ArrayList<>();

    public TestCluster() {
        this(Store.inMemory(), new FakeAgents(), true);
    }

    /**
     * Another coordinator over {@code store}, as after a restart: the registry is read back from
     * the store and the agents report in again.
     */
    public static TestCluster restartedOn(Store store, FakeAgents agents) {
        return new TestCluster(store, agents, false);
    }

    private TestCluster(Store store, FakeAgents agents, boolean ownsStore) {
        this.store = store;
        this.agents = agents;
        this.ownsStore = ownsStore;
        registry = new Registry(store);
        registry.addSite("eu");
        registry.addSite("us");
        registry.addHost("h1", "eu", HOST_MEMORY, NIC);
        registry.addHost("h2", "eu", HOST_MEMORY, NIC);
        registry.addHost("h3", "us", HOST_MEMORY, NIC);
        registry.putLink(new SiteLink("eu", "us", EU_US));
        for (String h : List.of("h1", "h2", "h3")) {
            heartbeat(h, registry.host(h).site());
        }
    }

    public static Heartbeat heartbeat(String host, String site, long at) {
        return new Heartbeat(
                host,
                site,
                "http://127.0.0.1:1/" + host,
                at,
                new HostLoad(0, 0, HOST_MEMORY, 0, 0, List.of()));
    }

    public void heartbeat(String host, String site) {
        long now = System.currentTimeMillis();
        registry.heartbeat(heartbeat(host, site, now), now);
    }

    public static ZoneDefinition definition(String name, long memoryMiB) {
        int last = 10 + Math.floorMod(name.hashCode(), 200);
        return new ZoneDefinition(
                name,
                memoryMiB,
                1,
                "10.213.5." + last + "/24",
                MacAddress.forZone(name).value(),
                7000,
                7001,
                20);
    }

    /** A running zone of {@link #ZONE_MIB} on {@code host}, known to registry and agent. */
    public ZoneRecord zone(String name, String host) {
        return zone(name, host, ZONE_MIB);
    }

    public ZoneRecord zone(String name, String host, long memoryMiB) {
        ZoneRecord z = new ZoneRecord(definition(name, memoryMiB), host, ZoneLifecycle.RUNNING);
        registry.putZone(z);
        agents.put(host, name, ZoneState.RUNNING);
        return z;
    }

    public PlanExecutor executor() {
        PlanExecutor e = new PlanExecutor(registry, agents, Dispatchers::create);
        executors.add(e);
        return e;
    }

    /** Waits until plan {@code id} has ended and returns it. */
    public static PlanRecord awaitEnd(PlanExecutor executor, long id) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(
                        () -> executor.plan(id).orElseThrow(),
                        p -> p.state() != PlanRecord.PlanState.RUNNING);
    }

    @Override
    public void close() {
        executors.forEach(PlanExecutor::close);
        if (ownsStore) {
            store.close();
        }
    }
}
