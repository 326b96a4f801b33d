package io.livezone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.livezone.core.InvalidInputException;
import io.livezone.core.snapshot.ClientInfo;
import io.livezone.core.snapshot.ClusterSnapshot;
import io.livezone.core.snapshot.ServerInfo;
import io.livezone.core.snapshot.ZonePlacement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

class ZoneMappingPolicyTest {
    private static final ZoneMappingConfig ALWAYS_OPTIMISE = new ZoneMappingConfig(80, 1.0);

    private final ZoneMappingPolicy policy = new ZoneMappingPolicy();
    private final ExhaustiveZoneMapping exhaustive = new ExhaustiveZoneMapping();

    /** {@code n} clients of {@code zone} with the same RTTs, ids prefixed by the zone. */
    private static List<ClientInfo> clients(String zone, int n, Map<String, Double> rtt) {
        List<ClientInfo> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(new ClientInfo(zone + "-c" + i, zone, rtt));
        }
        return clients;
    }

    @Test
    void paperCaseMovesEveryZoneToTheServerAllClientsAreNearTo() {
        // §6.3: all clients are 50/100/200 ms from s1/s2/s3; with z1..z3 spread over s1..s3 only
        // z1's clients are
        // under 80 ms (QoS 33%); putting all zones on s1 serves everyone (100%).
        Map<String, Double> rtt = Map.of("s1", 50.0, "s2", 100.0, "s3", 200.0);
        List<ClientInfo> clients = new ArrayList<>();
        clients.addAll(clients("z1", 10, rtt));
        clients.addAll(clients("z2", 10, rtt));
        clients.addAll(clients("z3", 10, rtt));
        ClusterSnapshot snapshot =
                new ClusterSnapshot(
                        List.of(
                                new ServerInfo("s1", "a", 3),
                                new ServerInfo("s2", "b", 3),
                                new ServerInfo("s3", "c", 3)),
                        List.of(
                                new ZonePlacement("z1", "s1"),
                                new ZonePlacement("z2", "s2"),
                                new ZonePlacement("z3", "s3")),
                        clients);

        ZoneMappingDecision decision = policy.decide(snapshot, ZoneMappingConfig.defaults());

        assertThat(decision.qosBefore()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(decision.qosAfter()).isEqualTo(1.0);
        assertThat(decision.mapping())
                .containsExactlyInAnyOrderEntriesOf(Map.of("z1", "s1", "z2", "s1", "z3", "s1"));
        assertThat(decision.moves())
                .containsExactly(new ZoneMove("z2", "s2", "s1"), new ZoneMove("z3", "s3", "s1"));
        assertThat(decision.migrates()).isTrue();
        assertThat(decision.reason())
                .isEqualTo("QoS 33% < 90%: move z2 s2→s1, z3 s3→s1 (QoS after 100%)");
        assertThat(exhaustive.decide(snapshot, ZoneMappingConfig.defaults())).isEqualTo(decision);
    }

    @Test
    void capacityForcesATradeOffThatNeedsARotation() {
        // One zone per server. zA (5 clients) and zB (3) are only near s1; zC (2) is near s1 and
        // s2; nobody is near s3.
        // Now zC holds s1 and only its 2 clients are served (20%). s1 can take one zone: zA serves
        // 5, zB 3, zC 2;
        // the best is zA on s1 plus zC on s2 (5 + 2 = 7, 70%) with zB pushed to s3 — a 3-cycle of
        // migrations,
        // which single moves cannot reach because every server is full.
        Map<String, Double> nearS1 = Map.of("s1", 30.0, "s2", 120.0, "s3", 150.0);
        Map<String, Double> nearS1AndS2 = Map.of("s1", 40.0, "s2", 60.0, "s3", 150.0);
        List<ClientInfo> clients = new ArrayList<>();
        clients.addAll(clients("zA", 5, nearS1));
        clients.addAll(clients("zB", 3, nearS1));
        clients.addAll(clients("zC", 2, nearS1AndS2));
        ClusterSnapshot snapshot =
                new ClusterSnapshot(
                        List.of(
                                new ServerInfo("s1", "a", 1),
                                new ServerInfo("s2", "b", 1),
                                new ServerInfo("s3", "c", 1)),
                        List.of(
                                new ZonePlacement("zA", "s3"),
                                new ZonePlacement("zB", "s2"),
                                new ZonePlacement("zC", "s1")),
                        clients);

        ZoneMappingDecision decision = policy.decide(snapshot, ZoneMappingConfig.defaults());

        assertThat(decision.qosBefore()).isCloseTo(0.2, within(1e-9));
        assertThat(decision.qosAfter()).isCloseTo(0.7, within(1e-9));
        assertThat(decision.mapping())
                .containsExactlyInAnyOrderEntriesOf(Map.of("zA", "s1", "zB", "s3", "zC", "s2"));
        assertThat(decision.reason())
                .isEqualTo("QoS 20% < 90%: move zA s3→s1, zB s2→s3, zC s1→s2 (QoS after 70%)");
        assertThat(exhaustive.decide(snapshot, ZoneMappingConfig.defaults()).qosAfter())
                .isEqualTo(decision.qosAfter());
    }

    @Test
    void qosAtOrAboveTargetMovesNothing() {
        // 9 of 10 clients under 80 ms on s1 is exactly the 90% target, even though s2 would serve
        // all 10.
        List<ClientInfo> clients =
                new ArrayList<>(clients("z1", 9, Map.of("s1", 10.0, "s2", 10.0)));
        clients.add(new ClientInfo("far", "z1", Map.of("s1", 300.0, "s2", 10.0)));
        ClusterSnapshot snapshot =
                new ClusterSnapshot(
                        List.of(new ServerInfo("s1", "a", 1), new ServerInfo("s2", "b", 1)),
                        List.of(new ZonePlacement("z1", "s1")),
                        clients);

        ZoneMappingDecision atTarget = policy.decide(snapshot, ZoneMappingConfig.defaults());
        assertThat(atTarget.moves()).isEmpty();
        assertThat(atTarget.qosAfter())
                .isEqualTo(atTarget.qosBefore())
                .isCloseTo(0.9, within(1e-9));
        assertThat(atTarget.mapping()).containsExactlyEntriesOf(Map.of("z1", "s1"));
        assertThat(atTarget.reason()).isEqualTo("QoS 90% ≥ 90%: no moves");

        ZoneMappingDecision strict = policy.decide(snapshot, new ZoneMappingConfig(80, 0.95));
        assertThat(strict.moves()).containsExactly(new ZoneMove("z1", "s1", "s2"));
        assertThat(strict.qosAfter()).isEqualTo(1.0);
    }

    @Test
    void thresholdIsStrictAndUnmeasuredServersNeverCount() {
        // RTT exactly 80 ms is not "below 80 ms"; s2 has no measurement at all, so it cannot help
        // either.
        ClusterSnapshot snapshot =
                new ClusterSnapshot(
                        List.of(new ServerInfo("s1", "a", 1), new ServerInfo("s2", "b", 1)),
                        List.of(new ZonePlacement("z1", "s1")),
                        clients("z1", 4, Map.of("s1", 80.0)));

        ZoneMappingDecision decision = policy.decide(snapshot, ZoneMappingConfig.defaults());

        assertThat(decision.qosBefore()).isZero();
        assertThat(decision.moves()).isEmpty();
        assertThat(decision.reason())
                .isEqualTo("QoS 0% < 90% but no mapping within capacity improves it: no moves");
        assertThat(policy.decide(snapshot, new ZoneMappingConfig(80.5, 0.9)).qosBefore())
                .isEqualTo(1.0);
    }

    @Test
    void aClusterWithoutClientsHasPerfectQosAndStaysPut() {
        ClusterSnapshot snapshot =
                new ClusterSnapshot(
                        List.of(new ServerInfo("s1", "a", 2)),
                        List.of(new ZonePlacement("z1", "s1"), new ZonePlacement("z2", "s1")),
                        List.of());
        ZoneMappingDecision decision = policy.decide(snapshot, ALWAYS_OPTIMISE);
        assertThat(decision.qosBefore()).isEqualTo(1.0);
        assertThat(decision.migrates()).isFalse();
    }

    @Test
    void configRejectsNonsense() {
        for (double threshold : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new ZoneMappingConfig(threshold, 0.9))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("RTT threshold");
        }
        for (double target : new double[] {0, -0.1, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> new ZoneMappingConfig(80, target))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("QoS target");
        }
        assertThat(new ZoneMappingConfig(80, 1.0).qosTarget()).isEqualTo(1.0);
        assertThat(ZoneMappingConfig.defaults()).isEqualTo(new ZoneMappingConfig(80, 0.9));
        assertThatThrownBy(() -> policy.decide(null, ZoneMappingConfig.defaults()))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void exhaustiveSearchRefusesInstancesThatAreTooBig() {
        // 8 servers ^ 7 zones = 2,097,152 candidate mappings > 1,000,000.
        List<ServerInfo> servers = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            servers.add(new ServerInfo("s" + s, "a", 7));
        }
        List<ZonePlacement> placements = new ArrayList<>();
        for (int z = 0; z < 7; z++) {
            placements.add(new ZonePlacement("z" + z, "s0"));
        }
        ClusterSnapshot snapshot = new ClusterSnapshot(servers, placements, List.of());
        assertThatThrownBy(() -> exhaustive.decide(snapshot, ALWAYS_OPTIMISE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("exceeds 1000000");
        // 8^6 = 262,144 is allowed.
        ClusterSnapshot smaller = new ClusterSnapshot(servers, placements.subList(0, 6), List.of());
        assertThat(exhaustive.decide(smaller, ALWAYS_OPTIMISE).migrates()).isFalse();
    }

    /**
     * A random small cluster: RTTs 0..200 ms, some unmeasured, capacities that are sometimes tight.
     */
    private static ClusterSnapshot randomSmallCluster(Random random) {
        int serverCount = 2 + random.nextInt(3);
        int zoneCount = 2 + random.nextInt(5);
        List<ServerInfo> servers = new ArrayList<>();
        int totalCapacity = 0;
        for (int s = 0; s < serverCount; s++) {
            int capacity = 1 + random.nextInt(3);
            servers.add(new ServerInfo("s" + s, "site" + s, capacity));
            totalCapacity += capacity;
        }
        while (totalCapacity < zoneCount) {
            int s = random.nextInt(serverCount);
            servers.set(s, new ServerInfo("s" + s, "site" + s, servers.get(s).capacityZones() + 1));
            totalCapacity++;
        }
        int[] load = new int[serverCount];
        List<ZonePlacement> placements = new ArrayList<>();
        for (int z = 0; z < zoneCount; z++) {
            int s;
            do {
                s = random.nextInt(serverCount);
            } while (load[s] >= servers.get(s).capacityZones());
            load[s]++;
            placements.add(new ZonePlacement("z" + z, "s" + s));
        }
        List<ClientInfo> clients = new ArrayList<>();
        int clientCount = random.nextInt(40);
        for (int c = 0; c < clientCount; c++) {
            Map<String, Double> rtt = new HashMap<>();
            for (int s = 0; s < serverCount; s++) {
                if (random.nextInt(10) > 0) {
                    rtt.put("s" + s, (double) random.nextInt(200));
                }
            }
            clients.add(new ClientInfo("c" + c, "z" + random.nextInt(zoneCount), rtt));
        }
        return new ClusterSnapshot(servers, placements, clients);
    }

    private static void assertFeasible(ClusterSnapshot snapshot, ZoneMappingDecision decision) {
        Map<String, Integer> load = new HashMap<>();
        decision.mapping().values().forEach(s -> load.merge(s, 1, Integer::sum));
        for (ServerInfo server : snapshot.servers()) {
            assertThat(load.getOrDefault(server.id(), 0))
                    .isLessThanOrEqualTo(server.capacityZones());
        }
        assertThat(decision.mapping()).hasSize(snapshot.placements().size());
        for (ZonePlacement placement : snapshot.placements()) {
            String target = decision.mapping().get(placement.zoneId());
            boolean moved =
                    decision.moves().stream().anyMatch(m -> m.zoneId().equals(placement.zoneId()));
            assertThat(moved).isEqualTo(!target.equals(placement.serverId()));
        }
    }

    @Test
    void heuristicAlmostAlwaysReachesTheOptimumOnRandomSmallInstances() {
        Random random = new Random(20240611L);
        int reachedOptimum = 0;
        int instances = 2000;
        for (int i = 0; i < instances; i++) {
            ClusterSnapshot snapshot = randomSmallCluster(random);
            ZoneMappingDecision heuristic = policy.decide(snapshot, ALWAYS_OPTIMISE);
            ZoneMappingDecision optimal = exhaustive.decide(snapshot, ALWAYS_OPTIMISE);
            assertFeasible(snapshot, heuristic);
            assertFeasible(snapshot, optimal);
            assertThat(heuristic.qosAfter()).isLessThanOrEqualTo(optimal.qosAfter());
            assertThat(heuristic.qosAfter()).isGreaterThanOrEqualTo(heuristic.qosBefore());
            if (heuristic.qosAfter() == optimal.qosAfter()) {
                reachedOptimum++;
            }
        }
        // The problem is NP-hard (generalised assignment), so a local optimum can miss the global
        // one; with this seed
        // the heuristic reaches it on 1996 of 2000 instances. Without the shift neighbourhood it is
        // 1983, so
        // requiring 99.5% makes a weaker search fail this test.
        assertThat(reachedOptimum).isGreaterThanOrEqualTo(instances * 995 / 1000);
    }

    @Test
    @Timeout(
            value = 30,
            unit = TimeUnit.SECONDS) // sanity bound only; the target is well under a second
    void scalesToAThousandZonesAHundredServersAndAHundredThousandClients() {
        Random random = new Random(7);
        int serverCount = 100;
        int zoneCount = 1000;
        List<ServerInfo> servers = new ArrayList<>();
        for (int s = 0; s < serverCount; s++) {
            servers.add(new ServerInfo("s" + s, "site" + s % 10, 12));
        }
        List<ZonePlacement> placements = new ArrayList<>();
        for (int z = 0; z < zoneCount; z++) {
            placements.add(new ZonePlacement("z" + z, "s" + z % serverCount));
        }
        // Each zone's players cluster around one "home" server; each client probed 5 servers.
        List<ClientInfo> clients = new ArrayList<>();
        for (int c = 0; c < 100_000; c++) {
            int z = random.nextInt(zoneCount);
            int home = (z * 37) % serverCount;
            Map<String, Double> rtt = new HashMap<>();
            rtt.put("s" + home, 20.0 + random.nextInt(100));
            for (int k = 0; k < 4; k++) {
                rtt.put("s" + random.nextInt(serverCount), 40.0 + random.nextInt(200));
            }
            clients.add(new ClientInfo("c" + c, "z" + z, rtt));
        }
        ClusterSnapshot snapshot = new ClusterSnapshot(servers, placements, clients);

        ZoneMappingDecision decision = policy.decide(snapshot, ZoneMappingConfig.defaults());

        assertFeasible(snapshot, decision);
        assertThat(decision.qosBefore()).isLessThan(0.9);
        assertThat(decision.qosAfter()).isGreaterThan(decision.qosBefore() + 0.2);
        assertThat(policy.decide(snapshot, ZoneMappingConfig.defaults())).isEqualTo(decision);
    }
}
