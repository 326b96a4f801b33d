package io.livezone.sim.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.LoadBalancerConfig;
import io.livezone.sim.engine.EventLoop;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

class SimClusterTest {
    private static final MigrationCost COST = MigrationCost.defaults();

    private static SimCluster cluster(EventLoop loop, boolean balancing) {
        return new SimCluster(
                loop,
                LoadBalancerConfig.defaults(),
                balancing,
                5_000,
                1,
                COST,
                new SplittableRandom(1));
    }

    @Test
    void aMigrationTakesTimeAndTheZoneCountsOnTheSourceMeanwhile() {
        // 512 MiB × 1.3 over 1 Gbit/s (5,583 ms) plus 30 ms downtime.
        assertThat(COST.durationMs()).isEqualTo(5613);
        EventLoop loop = new EventLoop();
        SimCluster cluster = cluster(loop, true);
        cluster.addHost("hot");
        cluster.addHost("cold");
        cluster.addZone("a", "hot", 40);
        cluster.addZone("b", "hot", 30);
        cluster.addZone("c", "hot", 25);
        cluster.addZone("d", "cold", 5);

        List<Double> hotWhileMigrating = new ArrayList<>();
        loop.every(
                0,
                100,
                () -> {
                    if (cluster.migrationsInFlight() == 1) {
                        hotWhileMigrating.add(cluster.load("hot"));
                    }
                });
        // Both have reported by 5 s, so "hot" (95 %) proposes by its second wake-up.
        loop.runUntil(20_000);
        assertThat(hotWhileMigrating).hasSizeGreaterThan(50).containsOnly(95.0);
        MigrationRecord move = cluster.migrations().get(0);
        assertThat(move.fromHost()).isEqualTo("hot");
        assertThat(move.toHost()).isEqualTo("cold");
        // Mean 50, excess 45, deficit 45: the target is 45, and a (40) is the closest zone.
        assertThat(move.zoneId()).isEqualTo("a");
        assertThat(move.endMs() - move.startMs()).isEqualTo(COST.durationMs() + 1);
        assertThat(cluster.hostOf("a")).isEqualTo("cold");
        assertThat(cluster.load("hot")).isCloseTo(55, within(1e-9));
        assertThat(cluster.load("cold")).isCloseTo(45, within(1e-9));
    }

    @Test
    void aReceiverTakesOneMigrationAtATime() {
        EventLoop loop = new EventLoop();
        SimCluster cluster = cluster(loop, true);
        cluster.addHost("cold");
        cluster.addZone("c0", "cold", 1);
        for (int h = 0; h < 4; h++) {
            cluster.addHost("hot" + h);
            for (int z = 0; z < 9; z++) {
                cluster.addZone("h" + h + "z" + z, "hot" + h, 9);
            }
        }
        loop.runUntil(120_000);
        List<MigrationRecord> intoCold =
                cluster.migrations().stream().filter(m -> m.toHost().equals("cold")).toList();
        assertThat(intoCold).hasSizeGreaterThan(2);
        for (int i = 1; i < intoCold.size(); i++) {
            assertThat(intoCold.get(i).startMs())
                    .isGreaterThanOrEqualTo(intoCold.get(i - 1).endMs());
        }
    }

    @Test
    void aJoiningHostGetsZonesAndADrainingHostLeavesOnceEmpty() {
        EventLoop loop = new EventLoop();
        SimCluster cluster = cluster(loop, true);
        for (int h = 0; h < 4; h++) {
            cluster.addHost("h" + h);
            for (int z = 0; z < 10; z++) {
                cluster.addZone("h" + h + "z" + z, "h" + h, 6);
            }
        }
        loop.at(60_000, () -> cluster.addHost("new"));
        loop.at(60_000, () -> cluster.drain("h0"));
        loop.runUntil(600_000);

        assertThat(cluster.isPresent("h0")).isFalse();
        assertThat(cluster.hostIds()).containsExactly("h1", "h2", "h3", "new");
        // 240 % over 4 hosts: 60 each, within δ.
        for (String host : cluster.hostIds()) {
            assertThat(cluster.load(host)).isCloseTo(60, within(6.0));
        }
        assertThatThrownBy(() -> cluster.load("h0"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no host h0 in the cluster");
    }

    @Test
    void withBalancingOffNothingMoves() {
        EventLoop loop = new EventLoop();
        SimCluster cluster = cluster(loop, false);
        cluster.addHost("hot");
        cluster.addHost("cold");
        cluster.addZone("a", "hot", 95);
        loop.runUntil(300_000);
        assertThat(cluster.migrations()).isEmpty();
        assertThat(cluster.proposals()).isZero();
    }

    @Test
    void badInputIsRejected() {
        EventLoop loop = new EventLoop();
        SimCluster cluster = cluster(loop, true);
        cluster.addHost("h");
        assertThatThrownBy(() -> cluster.addHost("h"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("host h already joined");
        assertThatThrownBy(() -> cluster.addZone("z", "nowhere", 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no host nowhere in the cluster");
        assertThatThrownBy(() -> new MigrationCost(0, 1000, 1.3, 30))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(
                        () ->
                                new SimCluster(
                                        loop,
                                        LoadBalancerConfig.defaults(),
                                        true,
                                        0,
                                        1,
                                        COST,
                                        new SplittableRandom(1)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("report period must be > 0 ms");
    }
}
