package io.livezone.agent.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneState;
import io.livezone.core.cluster.ConductorStatus;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.ZoneLoad;
import io.livezone.policy.LoadBalancerConfig;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Conductors in one JVM, each with its own JGroups channel on 127.0.0.1: real group membership and
 * messages, the real policy; the hosts' zones are in-memory figures and a move just reassigns a
 * zone after a short delay, as the coordinator would after a migration.
 */
class ConductorTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final LoadBalancerConfig FAST =
            new LoadBalancerConfig(
                    90, 2, Duration.ofMillis(300), Duration.ofSeconds(3), Duration.ofSeconds(2));

    /** What the policy says when a host with fresh reports has nothing worth sending. */
    private static final String[] STAY_DECISIONS = {
        "no zones to send",
        "is not above the mean",
        "is within δ",
        "no host below the mean can take a zone"
    };

    private final Hosts hosts = new Hosts();
    private final Map<String, Conductor> conductors = new LinkedHashMap<>();

    @AfterEach
    void closeAll() {
        conductors.values().forEach(Conductor::close);
    }

    @Test
    void zonesSpreadFromOneHostUntilEveryHostHasOne() {
        hosts.put("h1", Map.of("a", 10.0, "b", 11.0, "c", 12.0));
        hosts.put("h2", Map.of());
        hosts.put("h3", Map.of());
        startAll(true);

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () ->
                                assertThat(hosts.zoneCounts())
                                        .containsEntry("h1", 1)
                                        .containsEntry("h2", 1)
                                        .containsEntry("h3", 1));
        List<String> moves = hosts.moves();
        assertThat(moves).hasSize(2).allMatch(m -> m.contains("h1 →"));
        assertThat(hosts.maxConcurrentArrivals()).as("arrivals at once on one host").isEqualTo(1);

        // Balanced: no host can hand over a zone that narrows its gap, so nothing moves again.
        awaitEveryConductorDecidesToStay();
        assertThat(hosts.moves()).isEqualTo(moves);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> {
                            long sent = 0;
                            long received = 0;
                            for (Conductor c : conductors.values()) {
                                ConductorStatus s = c.status();
                                assertThat(s.sending()).isNull();
                                assertThat(s.receiving()).as("slot of %s", s.host()).isNull();
                                assertThat(s.members()).containsExactly("h1", "h2", "h3");
                                sent += s.migrationsSent();
                                received += s.migrationsReceived();
                            }
                            assertThat(sent).isEqualTo(2);
                            assertThat(received).isEqualTo(2);
                        });
    }

    @Test
    void onlyZonesTheMoverAllowsAreProposed() {
        hosts.put("h1", Map.of("a", 10.0, "b", 10.0, "c", 10.0));
        hosts.put("h2", Map.of());
        hosts.put("h3", Map.of());
        hosts.allowOnly("a");
        startAll(true);

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(hosts.zoneCounts()).containsEntry("h1", 2));
        // h1 is still far above the mean, but b and c may not move: it has nothing to send.
        awaitEveryConductorDecidesToStay();
        assertThat(conductors.get("h1").status().lastDecision()).contains("no zones to send");
        assertThat(hosts.moves()).hasSize(1).allMatch(m -> m.startsWith("a: h1 →"));
    }

    @Test
    void aReceiverTakesOneMigrationAtATime() {
        // h1 and h2 are both over the mean by more than δ and both pick h3, the only host below.
        hosts.put("h1", Map.of("a", 10.0, "b", 10.0));
        hosts.put("h2", Map.of("c", 10.0, "d", 10.0));
        hosts.put("h3", Map.of());
        startAll(true);

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> {
                            Map<String, Integer> counts = hosts.zoneCounts();
                            assertThat(counts.get("h3")).isPositive();
                            assertThat(Collections.max(counts.values())).isLessThanOrEqualTo(2);
                        });
        awaitEveryConductorDecidesToStay();
        assertThat(hosts.maxConcurrentArrivals()).isEqualTo(1);
        assertThat(hosts.zoneCounts().values()).allMatch(n -> n >= 1 && n <= 2);
    }

    @Test
    void aMemberThatLeavesIsDroppedAndTheOthersCarryOn() {
        hosts.put("h1", Map.of("a", 10.0));
        hosts.put("h2", Map.of());
        hosts.put("h3", Map.of());
        startAll(true);
        awaitMembers(List.of("h1", "h2"), "h1", "h2", "h3");

        conductors.remove("h3").close();
        awaitMembers(List.of("h1", "h2"), "h1", "h2");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () ->
                                assertThat(conductors.get("h1").status().peers())
                                        .containsOnlyKeys("h2"));

        // h1 now runs twice h2's load: the remaining conductors still balance.
        hosts.add("h1", "b", 10.0);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () ->
                                assertThat(hosts.zoneCounts())
                                        .containsEntry("h1", 1)
                                        .containsEntry("h2", 1));
        assertThat(hosts.moves()).allMatch(m -> !m.contains("h3"));
    }

    @Test
    void withoutBalancingConductorsOnlyReport() {
        hosts.put("h1", Map.of("a", 10.0, "b", 10.0, "c", 10.0));
        hosts.put("h2", Map.of());
        startAll(false);
        // A round in which h1 knew h2's load: a balancing h1 would have proposed a zone in it
        // (zonesSpreadFromOneHostUntilEveryHostHasOne), this one only reported.
        ConductorStatus informed =
                await().atMost(Duration.ofSeconds(30))
                        .until(
                                () -> conductors.get("h1").status(),
                                s -> s != null && s.peers().containsKey("h2"));
        assertThat(informed.loadPct()).isEqualTo(30.0);
        assertThat(informed.proposalsSent()).isZero();
        assertThat(informed.sending()).isNull();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () ->
                                assertThat(conductors.get("h2").status().peers())
                                        .containsEntry("h1", 30.0));
        assertThat(conductors.get("h2").status().proposalsSent()).isZero();
        assertThat(hosts.moves()).isEmpty();
    }

    @Test
    void badOptionsAreRefusedWithTheirReason() {
        assertThatThrownBy(
                        () ->
                                options(
                                        "--conductor-peers",
                                        "127.0.0.1",
                                        "--balance-delta-pct",
                                        "-1"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("δ")
                .hasMessageContaining("-1");
        assertThatThrownBy(
                        () ->
                                options(
                                        "--conductor-peers",
                                        "127.0.0.1",
                                        "--balance-critical-pct",
                                        "-5"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("critical load threshold");
        assertThatThrownBy(() -> options("--balance"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--conductor-peers");
        assertThatThrownBy(() -> options("--conductor-peers", "h2.example:7800"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("IPv4");
        assertThatThrownBy(
                        () ->
                                options(
                                        "--conductor-peers",
                                        "127.0.0.1",
                                        "--balance-period-ms",
                                        "20000"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("max age");
        assertThat(options()).isEmpty();
        ConductorSettings s =
                options("--conductor-peers", "127.0.0.1:7801,127.0.0.2", "--balance").orElseThrow();
        assertThat(s.peers())
                .containsExactly(
                        new InetSocketAddress("127.0.0.1", 7801),
                        new InetSocketAddress("127.0.0.2", 7800));
        assertThat(s.balancer()).isEqualTo(LoadBalancerConfig.defaults());
        assertThat(s.balancing()).isTrue();
    }

    @Test
    void messagesSurviveTheirEncoding() {
        var propose =
                new ConductorMessage.Propose(
                        7,
                        new io.livezone.policy.MigrationProposal(
                                "h1", "h2", "z1", 3.5, 12, 1, 6, false));
        byte[] bytes = ConductorMessage.encode(propose);
        assertThat(ConductorMessage.decode(bytes, 0, bytes.length)).isEqualTo(propose);
        var load = new ConductorMessage.Load("h3", 4.25, true);
        bytes = ConductorMessage.encode(load);
        assertThat(ConductorMessage.decode(bytes, 0, bytes.length)).isEqualTo(load);
        assertThatThrownBy(() -> ConductorMessage.decode(new byte[] {'{', '}'}, 0, 2))
                .isInstanceOf(InvalidInputException.class);
    }

    private static Optional<ConductorSettings> options(String... args) {
        ConductorOptions o = new ConductorOptions();
        new CommandLine(o).parseArgs(args);
        return o.settings("h1", LOOPBACK);
    }

    private void startAll(boolean balancing) {
        List<String> names = new ArrayList<>(hosts.names());
        List<Integer> ports = freePorts(names.size());
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int port : ports) {
            peers.add(new InetSocketAddress(LOOPBACK, port));
        }
        String group = "conductor-test-" + ThreadLocalRandom.current().nextInt(1 << 30);
        for (int i = 0; i < names.size(); i++) {
            String host = names.get(i);
            ConductorSettings settings =
                    new ConductorSettings(
                            host,
                            peers.get(i),
                            peers,
                            group,
                            Duration.ofMillis(200),
                            balancing,
                            FAST);
            conductors.put(
                    host,
                    Conductor.start(
                            settings, () -> hosts.sample(host), hosts.mover(host), s -> {}));
        }
    }

    /**
     * Waits until every conductor has run a round in which it saw every host's current load (its
     * own and each peer's report) and decided to send nothing, for a reason other than calming down
     * after a move. The policy is pure and the loads are steady, so every later round decides the
     * same: nothing moves again. This replaces sleeping and then checking that nothing moved.
     */
    private void awaitEveryConductorDecidesToStay() {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> {
                            Map<String, Double> loads = hosts.loads();
                            for (Conductor c : conductors.values()) {
                                ConductorStatus s = c.status();
                                assertThat(s).isNotNull();
                                Map<String, Double> others = new TreeMap<>(loads);
                                others.remove(s.host());
                                assertThat(s.loadPct()).as(s.host()).isEqualTo(loads.get(s.host()));
                                assertThat(s.peers()).as("peers of %s", s.host()).isEqualTo(others);
                                assertThat(s.sending()).as("sending from %s", s.host()).isNull();
                                assertThat(s.lastDecision())
                                        .as("decision of %s", s.host())
                                        .containsAnyOf(STAY_DECISIONS);
                            }
                        });
    }

    private void awaitMembers(List<String> whose, String... members) {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> {
                            for (String host : whose) {
                                ConductorStatus s = conductors.get(host).status();
                                assertThat(s).isNotNull();
                                assertThat(s.members()).as(host).containsExactly(members);
                            }
                        });
    }

    /** Ports p with p + 100 free too: FD_SOCK2 listens there. */
    private static List<Integer> freePorts(int n) {
        List<Integer> out = new ArrayList<>();
        while (out.size() < n) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            if (!out.contains(port) && free(port) && free(port + 100)) {
                out.add(port);
            }
        }
        return out;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, LOOPBACK)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The hosts' zones and their CPU, and moves between them. */
    private static final class Hosts {
        private final Map<String, Map<String, Double>> zones = new TreeMap<>();
        private final List<String> moves = new ArrayList<>();
        private final Map<String, AtomicInteger> arriving = new ConcurrentHashMap<>();
        private int maxConcurrentArrivals;
        private volatile Set<String> allowed;

        /** Only these zones may move (as if the others were still starting). */
        void allowOnly(String... zones) {
            allowed = Set.of(zones);
        }

        synchronized void put(String host, Map<String, Double> hostZones) {
            zones.put(host, new TreeMap<>(hostZones));
            arriving.put(host, new AtomicInteger());
        }

        synchronized void add(String host, String zone, double cpu) {
            zones.get(host).put(zone, cpu);
        }

        synchronized List<String> names() {
            return List.copyOf(zones.keySet());
        }

        synchronized HostLoad sample(String host) {
            List<ZoneLoad> list = new ArrayList<>();
            double total = 0;
            for (var z : zones.get(host).entrySet()) {
                list.add(new ZoneLoad(z.getKey(), ZoneState.RUNNING, z.getValue(), 0, 0));
                total += z.getValue();
            }
            return new HostLoad(total, 0, 0, 0, 0, list);
        }

        /** Each host's load: its zones' CPU together, as its conductor sums it. */
        synchronized Map<String, Double> loads() {
            Map<String, Double> out = new TreeMap<>();
            zones.forEach(
                    (h, z) ->
                            out.put(h, z.values().stream().mapToDouble(Double::doubleValue).sum()));
            return out;
        }

        synchronized Map<String, Integer> zoneCounts() {
            Map<String, Integer> out = new TreeMap<>();
            zones.forEach((h, z) -> out.put(h, z.size()));
            return out;
        }

        synchronized List<String> moves() {
            return List.copyOf(moves);
        }

        synchronized int maxConcurrentArrivals() {
            return maxConcurrentArrivals;
        }

        ZoneMover mover(String from) {
            return new ZoneMover() {
                @Override
                public Outcome move(String zone, String to) {
                    int now = arriving.get(to).incrementAndGet();
                    synchronized (Hosts.this) {
                        maxConcurrentArrivals = Math.max(maxConcurrentArrivals, now);
                        if (!zones.get(from).containsKey(zone)) {
                            arriving.get(to).decrementAndGet();
                            return new Outcome(false, zone + " is not on " + from);
                        }
                    }
                    sleep(Duration.ofMillis(300));
                    synchronized (Hosts.this) {
                        zones.get(to).put(zone, zones.get(from).remove(zone));
                        moves.add(zone + ": " + from + " → " + to);
                    }
                    arriving.get(to).decrementAndGet();
                    return new Outcome(true, "moved");
                }

                @Override
                public Optional<Set<String>> movableZones(String host) {
                    return Optional.ofNullable(allowed);
                }
            };
        }
    }
}
