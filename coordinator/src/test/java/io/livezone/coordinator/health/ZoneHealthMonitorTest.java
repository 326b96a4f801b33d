package io.livezone.coordinator.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.coordinator.registry.FailureRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.ZoneFailure;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.RestartPolicy;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

class ZoneHealthMonitorTest {
    private final TestCluster cluster = new TestCluster();
    private final Registry registry = cluster.registry;
    private final ZoneHealthMonitor monitor = new ZoneHealthMonitor(registry, cluster.agents);

    @AfterEach
    void tearDown() {
        monitor.close();
        cluster.close();
    }

    private static ZoneFailure killed(String zone, String instance, long at) {
        return new ZoneFailure(
                zone,
                instance,
                at,
                "its QEMU process ended: killed by signal 9 (SIGKILL)",
                137,
                "exit status 137",
                "LIVEZONE-ZONE-READY");
    }

    private static ZoneStatus dead(ZoneFailure f) {
        return new ZoneStatus(f.zone(), ZoneState.DEAD, f.instance(), OptionalLong.of(7), "dead")
                .withFailure(f);
    }

    private static ZoneStatus running(String zone, String instance) {
        return new ZoneStatus(zone, ZoneState.RUNNING, instance, OptionalLong.of(8), "running");
    }

    /** The agent sees the zone dead too: it is what a restart call checks. */
    private void diesOnAgent(String host, String zone) {
        cluster.agents.put(host, zone, ZoneState.DEAD);
    }

    @Test
    void aDeathMakesTheZoneFailedWithItsReasonAndEntersItsHistoryOnce() {
        cluster.zone("arena", "h1");
        diesOnAgent("h1", "arena");
        ZoneFailure f = killed("arena", "i1", 1000);
        for (int beat = 0; beat < 3; beat++) {
            monitor.onReports("h1", List.of(dead(f))); // every heartbeat repeats it
        }
        ZoneRecord z = registry.zone("arena");
        assertThat(z.state()).isEqualTo(ZoneLifecycle.FAILED);
        assertThat(z.reason()).isEqualTo(f.reason());
        assertThat(registry.failures("arena"))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.host()).isEqualTo("h1");
                            assertThat(r.failure()).isEqualTo(f);
                            assertThat(r.outcome()).isEqualTo("reported");
                        });
        assertThat(cluster.agents.calls("arena")).noneMatch(c -> c.contains("restart"));

        // The agent restarts and notices the same dead VM again, later: still one failure.
        monitor.onReports("h1", List.of(dead(killed("arena", "i1", 5000))));
        assertThat(registry.failures("arena")).hasSize(1);
    }

    @Test
    void aZoneWithRestartPolicyRunsAgainAndKeepsItsFailureInItsHistory() {
        registry.putZone(
                new ZoneRecord(
                        TestCluster.definition("arena", 192).withRestart(RestartPolicy.RESTART),
                        "h1",
                        ZoneLifecycle.RUNNING));
        diesOnAgent("h1", "arena");
        monitor.onReports("h1", List.of(dead(killed("arena", "i1", 1000))));
        assertThat(registry.zone("arena").state())
                .isIn(ZoneLifecycle.FAILED, ZoneLifecycle.RUNNING);
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> registry.zone("arena").state() == ZoneLifecycle.RUNNING);
        assertThat(registry.zone("arena").reason()).isNull();
        assertThat(cluster.agents.calls("arena")).contains("h1.restart(arena)");
        assertThat(cluster.agents.state("h1", "arena")).contains(ZoneState.RUNNING);
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(
                        () -> registry.failures("arena").get(0).outcome(),
                        o -> o.startsWith("restarted"));
    }

    @Test
    void aCrashLoopIsNotRestartedForever() {
        registry.putZone(
                new ZoneRecord(
                        TestCluster.definition("arena", 192).withRestart(RestartPolicy.RESTART),
                        "h1",
                        ZoneLifecycle.RUNNING));
        long now = System.currentTimeMillis();
        for (int i = 1; i <= ZoneHealthMonitor.MAX_RESTARTS; i++) {
            registry.addFailure(
                    new FailureRecord(
                            0, "h1", killed("arena", "i" + i, now - 1000 * i), "restarted"));
        }
        diesOnAgent("h1", "arena");
        monitor.onReports("h1", List.of(dead(killed("arena", "i9", now))));
        ZoneRecord z = registry.zone("arena");
        assertThat(z.state()).isEqualTo(ZoneLifecycle.FAILED);
        assertThat(z.reason()).contains("not restarted", "crash loop");
        assertThat(cluster.agents.calls("arena")).noneMatch(c -> c.contains("restart"));
    }

    @Test
    void onlyTheHostTheRegistryNamesReportsAndOnlyWhenNothingElseOwnsTheZone() {
        cluster.zone("arena", "h1");
        // A copy on another host (a migrated-away source, say) is not the zone.
        monitor.onReports("h2", List.of(dead(killed("arena", "i1", 1000))));
        assertThat(registry.zone("arena").state()).isEqualTo(ZoneLifecycle.RUNNING);
        // A plan, a creation or a hibernation owns it: their outcome says where it is.
        for (ZoneLifecycle owned :
                List.of(
                        ZoneLifecycle.MIGRATING,
                        ZoneLifecycle.STAGING,
                        ZoneLifecycle.HIBERNATING)) {
            registry.putZone(registry.zone("arena").in(owned));
            monitor.onReports("h1", List.of(dead(killed("arena", "i1", 1000))));
            assertThat(registry.zone("arena").state()).isEqualTo(owned);
        }
        assertThat(registry.failures("arena")).isEmpty();
        // Unknown zones are ignored.
        monitor.onReports("h1", List.of(dead(killed("ghost", "i1", 1000))));
    }

    @Test
    void aLostOrFailedZoneThatItsHostReportsRunningIsRunningAgain() {
        cluster.zone("arena", "h1");
        registry.putZone(registry.zone("arena").because(ZoneLifecycle.LOST, "host h1 stopped"));
        monitor.onReports(
                "h1",
                List.of(
                        running("arena", "i1")
                                .withNote(
                                        "cancelled an outgoing migration orphaned by the agent"
                                                + " restart")));
        assertThat(registry.zone("arena").state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(registry.zone("arena").reason()).isNull();
        // Another host running a copy does not make the registry's zone run.
        registry.putZone(registry.zone("arena").in(ZoneLifecycle.LOST));
        monitor.onReports("h2", List.of(running("arena", "i1")));
        assertThat(registry.zone("arena").state()).isEqualTo(ZoneLifecycle.LOST);
    }

    @Test
    void aPausedZoneAwaitingTheCoordinatorCarriesTheAgentsNoteAsItsReason() {
        cluster.zone("arena", "h1");
        registry.putZone(registry.zone("arena").in(ZoneLifecycle.LOST));
        String note = "outgoing migration completed before the agent restarted: …";
        monitor.onReports(
                "h1",
                List.of(
                        new ZoneStatus(
                                        "arena",
                                        ZoneState.PAUSED,
                                        "i1",
                                        OptionalLong.of(8),
                                        "postmigrate")
                                .withNote(note)));
        assertThat(registry.zone("arena").state()).isEqualTo(ZoneLifecycle.LOST);
        assertThat(registry.zone("arena").reason()).isEqualTo(note);
    }

    @Test
    void deletingAZoneForgetsItsHistory() {
        cluster.zone("arena", "h1");
        diesOnAgent("h1", "arena");
        monitor.onReports("h1", List.of(dead(killed("arena", "i1", 1000))));
        registry.removeZone("arena");
        assertThat(registry.failures("arena")).isEmpty();
        assertThat(cluster.store.failures()).isEmpty();
    }

    @Test
    void aRestartACoordinatorRestartInterruptedIsTakenUpAgain() {
        registry.putZone(
                new ZoneRecord(
                                TestCluster.definition("arena", 192)
                                        .withRestart(RestartPolicy.RESTART),
                                "h1",
                                ZoneLifecycle.RUNNING)
                        .because(ZoneLifecycle.FAILED, "killed; restarting (policy restart)"));
        ZoneFailure f = killed("arena", "i1", 1000);
        registry.addFailure(new FailureRecord(0, "h1", f, "restarting"));
        diesOnAgent("h1", "arena");
        monitor.onReports("h1", List.of(dead(f)));
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> registry.zone("arena").state() == ZoneLifecycle.RUNNING);
        assertThat(registry.failures("arena")).hasSize(1);
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(
                        () -> registry.failures("arena").get(0).outcome(),
                        o -> o.startsWith("restarted"));
    }
}
