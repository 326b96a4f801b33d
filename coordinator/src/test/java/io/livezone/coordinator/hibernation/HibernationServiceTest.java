package io.livezone.coordinator.hibernation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.coordinator.hibernation.HibernationService.MatchRequest;
import io.livezone.coordinator.hibernation.HibernationService.Player;
import io.livezone.coordinator.hibernation.HibernationService.ResumeRequest;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.ZoneState;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.http.ApiException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

class HibernationServiceTest {
    private TestCluster cluster;
    private HibernationService hibernation;

    @BeforeEach
    void setUp() {
        cluster = new TestCluster();
        hibernation =
                new HibernationService(
                        cluster.registry,
                        cluster.agents,
                        cluster.executor(),
                        new StorageService(cluster.registry, cluster.agents));
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    @Test
    void suspendThenResumeOnTheSameHost() {
        cluster.zone("arena", "h1");
        assertThat(hibernation.suspend("arena").state()).isEqualTo(ZoneLifecycle.HIBERNATING);
        assertThat(cluster.registry.zone("arena").host()).isEqualTo("h1");
        assertThat(cluster.agents.state("h1", "arena")).contains(ZoneState.SUSPENDED);

        ZoneRecord running = hibernation.resume("arena", null);
        assertThat(running.state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(running.host()).isEqualTo("h1");
        assertThat(cluster.agents.calls("arena")).doesNotContain("h1.sendHibernated(arena)");
    }

    @Test
    void resumeElsewhereCarriesTheImageAndForgetsTheOldCopy() {
        cluster.zone("arena", "h1");
        hibernation.suspend("arena");
        ZoneRecord running = hibernation.resume("arena", new ResumeRequest("h3"));
        assertThat(running.host()).isEqualTo("h3");
        assertThat(cluster.registry.zone("arena").state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(cluster.agents.calls("arena"))
                .containsSubsequence(
                        "h3.receiveHibernated(arena)",
                        "h1.sendHibernated(arena)",
                        "h3.restore(arena)",
                        "h1.discardHibernated(arena)");
        assertThat(cluster.agents.state("h1", "arena")).isEmpty();
        assertThat(cluster.agents.hasImage("h1", "arena")).isFalse();
        assertThat(cluster.registry.transfers())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.kind()).isEqualTo("hibernated");
                            assertThat(t.fromSite()).isEqualTo("eu");
                            assertThat(t.toSite()).isEqualTo("us");
                        });
    }

    @Test
    void aFailedRestoreLeavesTheZoneHibernatingWithItsImage() {
        cluster.zone("arena", "h1");
        hibernation.suspend("arena");
        cluster.agents.failNext("h3", "restore", new LiveZoneException("QEMU failed"));
        assertThatThrownBy(() -> hibernation.resume("arena", new ResumeRequest("h3")))
                .hasMessageContaining("QEMU failed");
        ZoneRecord z = cluster.registry.zone("arena");
        assertThat(z.state()).isEqualTo(ZoneLifecycle.HIBERNATING);
        assertThat(z.host()).isEqualTo("h1");
        assertThat(cluster.agents.hasImage("h1", "arena")).isTrue();
        assertThat(cluster.agents.hasImage("h3", "arena")).as("copy discarded").isFalse();
    }

    @Test
    void aFailedSuspendLeavesTheZoneRunning() {
        cluster.zone("arena", "h1");
        cluster.agents.failNext("h1", "suspend", new LiveZoneException("disk full"));
        assertThatThrownBy(() -> hibernation.suspend("arena")).hasMessageContaining("disk full");
        assertThat(cluster.registry.zone("arena").state()).isEqualTo(ZoneLifecycle.RUNNING);
    }

    @Test
    void badRequestsChangeNothing() {
        cluster.zone("arena", "h1");
        assertThatThrownBy(() -> hibernation.suspend("nosuch"))
                .isInstanceOf(ZoneNotFoundException.class);
        assertThatThrownBy(() -> hibernation.resume("arena", null))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("not hibernating");
        hibernation.suspend("arena");
        assertThatThrownBy(() -> hibernation.suspend("arena"))
                .hasMessageContaining("only running zones hibernate");
        assertThatThrownBy(() -> hibernation.resume("arena", new ResumeRequest("h9")))
                .hasMessageContaining("unknown host 'h9'");
        long later = System.currentTimeMillis() + 60_000;
        for (String h : List.of("h1", "h2")) {
            cluster.registry.heartbeat(TestCluster.heartbeat(h, "eu", later), later);
        }
        cluster.registry.expire(later, 5_000); // h3 stopped reporting
        assertThatThrownBy(() -> hibernation.resume("arena", new ResumeRequest("h3")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("host h3 is DOWN");
        assertThat(cluster.registry.zone("arena").state()).isEqualTo(ZoneLifecycle.HIBERNATING);
        assertThat(cluster.agents.calls("arena")).containsExactly("h1.suspend(arena)");
    }

    @Test
    void zonesWithDisksDoNotHibernateYet() {
        ZoneRecord z = cluster.zone("arena", "h1");
        cluster.registry.putZone(
                new ZoneRecord(
                        z.definition().withDisk(new DiskDefinition(null, null, 64, false, null)),
                        "h1",
                        ZoneLifecycle.RUNNING));
        assertThatThrownBy(() -> hibernation.suspend("arena"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not supported for zones with disks yet");
        assertThat(cluster.registry.zone("arena").state()).isEqualTo(ZoneLifecycle.RUNNING);
    }

    @Test
    void aMatchWakesTheZoneWhereItsPlayersAreEquallyClose() {
        cluster.zone("arena", "h1");
        hibernation.suspend("arena");
        var result =
                hibernation.match(
                        new MatchRequest(
                                "arena",
                                List.of(
                                        new Player("p1", Map.of("eu", 120.0, "us", 40.0)),
                                        new Player("p2", Map.of("eu", 30.0, "us", 45.0)))));
        assertThat(result.host()).isEqualTo("h3");
        assertThat(result.site()).isEqualTo("us");
        assertThat(result.closenessMs()).isEqualTo(5.0);
        assertThat(result.reason()).contains("h3");
        assertThat(cluster.registry.zone("arena").host()).isEqualTo("h3");
        assertThat(cluster.registry.zone("arena").state()).isEqualTo(ZoneLifecycle.RUNNING);
    }

    @Test
    void aMatchWithoutEligibleServerLeavesTheZoneHibernating() {
        cluster.zone("arena", "h1");
        hibernation.suspend("arena");
        assertThatThrownBy(
                        () ->
                                hibernation.match(
                                        new MatchRequest(
                                                "arena",
                                                List.of(
                                                        new Player(
                                                                "p1",
                                                                Map.of("eu", 200.0, "us", 20.0)),
                                                        new Player(
                                                                "p2",
                                                                Map.of("eu", 20.0, "us", 250.0))))))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("no server qualifies")
                .hasMessageContaining("stays hibernating");
        assertThatThrownBy(
                        () ->
                                hibernation.match(
                                        new MatchRequest(
                                                "arena",
                                                List.of(new Player("p1", Map.of("eu", 20.0))))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no RTT to site us");
        assertThat(cluster.registry.zone("arena").state()).isEqualTo(ZoneLifecycle.HIBERNATING);
        assertThat(cluster.registry.zone("arena").host()).isEqualTo("h1");
    }
}
