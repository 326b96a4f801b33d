package io.livezone.coordinator.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.coordinator.plan.MoveRecord;
import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.plan.PlanRecord.PlanState;
import io.livezone.coordinator.registry.HostRecord.HostState;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.MigrationSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/** The coordinator's H2 database: what is written survives closing and reopening the file. */
class StoreTest {
    @TempDir Path dir;

    private Store reopen(Store s) {
        s.close();
        return Store.open(dir.resolve("coordinator"));
    }

    @Test
    void everythingSurvivesAReopen() {
        Store s = Store.open(dir.resolve("coordinator"));
        s.putSite("eu");
        s.putSite("us");
        s.putSite("eu");
        var link = new SiteLink("eu", "us", new LinkSettings(20, 2, 12_500_000));
        s.putLink(link);
        var h1 =
                new HostRecord(
                        "h1",
                        "eu",
                        1L << 30,
                        125_000_000,
                        "http://10.0.0.1:7700",
                        HostState.UP,
                        123,
                        new HostLoad(1, 2, 3, 4, 5, List.of()));
        s.putHost(h1);
        var h2 = new HostRecord("h2", "us", 2L << 30, 1_000, null, HostState.UNKNOWN, 0, null);
        s.putHost(h2);
        var a = new ZoneRecord(TestCluster.definition("a", 192), "h1", ZoneLifecycle.MIGRATING);
        var b = new ZoneRecord(TestCluster.definition("b", 256), "h2", ZoneLifecycle.RUNNING);
        s.putZone(a);
        s.putZone(b);
        s.putZone(b.in(ZoneLifecycle.LOST));
        var settings = new MigrationSettings(50, 1_000_000, false, true);
        MoveRecord moving = MoveRecord.pending("a", "h1", "h2").in(MoveState.MIGRATING);
        PlanRecord plan =
                s.insertPlan(
                        new PlanRecord(
                                0,
                                "sequential",
                                PlanState.RUNNING,
                                settings,
                                60,
                                1000,
                                0,
                                List.of(moving, MoveRecord.pending("b", "h2", "h1"))));
        MoveRecord progressed = moving.progress(42.5, 1234).measured(1234, 7, 99);
        s.putMove(plan.id(), 0, progressed);
        PlanRecord second =
                s.insertPlan(
                        new PlanRecord(
                                0,
                                "parallel",
                                PlanState.RUNNING,
                                MigrationSettings.DEFAULT,
                                0,
                                2000,
                                0,
                                List.of(MoveRecord.pending("a", "h1", "h2"))));
        s.putPlanState(second.id(), PlanState.FAILED, 3000);

        s = reopen(s);
        try {
            assertThat(s.sites()).containsExactly("eu", "us");
            assertThat(s.links()).containsExactly(link);
            // Liveness is not stored: every host comes back UNKNOWN until it reports.
            assertThat(s.hosts())
                    .containsExactly(
                            new HostRecord(
                                    "h1",
                                    "eu",
                                    1L << 30,
                                    125_000_000,
                                    "http://10.0.0.1:7700",
                                    HostState.UNKNOWN,
                                    0,
                                    null),
                            h2);
            assertThat(s.zones()).containsExactly(a, b.in(ZoneLifecycle.LOST));
            assertThat(s.plans())
                    .containsExactly(
                            new PlanRecord(
                                    plan.id(),
                                    "sequential",
                                    PlanState.RUNNING,
                                    settings,
                                    60,
                                    1000,
                                    0,
                                    List.of(progressed, MoveRecord.pending("b", "h2", "h1"))),
                            new PlanRecord(
                                    second.id(),
                                    "parallel",
                                    PlanState.FAILED,
                                    MigrationSettings.DEFAULT,
                                    0,
                                    2000,
                                    3000,
                                    List.of(MoveRecord.pending("a", "h1", "h2"))));
            assertThat(second.id()).isGreaterThan(plan.id());

            s.deleteZone("a");
            s = reopen(s);
            assertThat(s.zones()).extracting(ZoneRecord::name).containsExactly("b");
        } finally {
            s.close();
        }
    }

    @Test
    void aRegistryReadsBackWhatItWrote() {
        Store s = Store.open(dir.resolve("coordinator"));
        Registry r = new Registry(s);
        r.addSite("eu");
        r.addSite("us");
        r.addHost("h1", "eu", 1L << 30, 125_000_000);
        r.addHost("h2", "us", 1L << 30, 125_000_000);
        r.putLink(new SiteLink("eu", "us", new LinkSettings(20, 0, 0)));
        long now = System.currentTimeMillis();
        r.heartbeat(TestCluster.heartbeat("h1", "eu", now), now);
        r.putZone(new ZoneRecord(TestCluster.definition("a", 192), "h1", ZoneLifecycle.RUNNING));

        Registry again = new Registry(reopen(s));
        try {
            assertThat(again.sites()).containsExactly("eu", "us");
            assertThat(again.links()).isEqualTo(r.links());
            assertThat(again.zones()).isEqualTo(r.zones());
            assertThat(again.host("h1").url()).isEqualTo("http://127.0.0.1:1/h1");
            assertThat(again.hosts()).extracting(HostRecord::state).containsOnly(HostState.UNKNOWN);
            assertThat(again.linkBetween("h1", "h2")).isEqualTo(r.linkBetween("h1", "h2"));
        } finally {
            again.store().close();
        }
    }

    @Test
    void aLinkRedefinedWithItsSitesSwappedReplacesTheOldOne() {
        Store s = Store.open(dir.resolve("coordinator"));
        Registry r = new Registry(s);
        r.addSite("eu");
        r.addSite("us");
        r.addHost("h1", "eu", 1L << 30, 125_000_000);
        r.addHost("h2", "us", 1L << 30, 125_000_000);
        r.putLink(new SiteLink("us", "eu", new LinkSettings(80, 0, 1_000_000)));
        r.putLink(new SiteLink("eu", "us", new LinkSettings(20, 0, 1_000_000)));
        assertThat(r.linkBetween("h1", "h2").latencyMs()).isEqualTo(20);

        Registry again = new Registry(reopen(s));
        try {
            assertThat(again.links()).hasSize(1);
            assertThat(again.linkBetween("h1", "h2").latencyMs()).isEqualTo(20);
        } finally {
            again.store().close();
        }
    }

    @Test
    void aZonesReasonRestartPolicyAndFailureHistorySurviveAReopen() {
        Store s = Store.open(dir.resolve("coordinator"));
        var a =
                new ZoneRecord(
                                TestCluster.definition("a", 192)
                                        .withRestart(
                                                io.livezone.core.cluster.RestartPolicy.RESTART),
                                "h1",
                                ZoneLifecycle.RUNNING)
                        .because(
                                ZoneLifecycle.FAILED, "its QEMU process ended: killed by signal 9");
        s.putZone(a);
        var failure =
                new io.livezone.core.ZoneFailure(
                        "a", "i1", 1000, "its QEMU process ended", 137, "exit status 137", "ready");
        FailureRecord stored = s.insertFailure(new FailureRecord(0, "h1", failure, "restarting"));
        assertThat(stored.id()).isPositive();
        s.putFailure(stored.withOutcome("restarted in 3000 ms (instance i2)"));
        var other = new io.livezone.core.ZoneFailure("b", "i3", 2000, "hung", null, "", "");
        s.insertFailure(new FailureRecord(0, "h1", other, "reported"));

        s = reopen(s);
        assertThat(s.zones()).containsExactly(a);
        assertThat(s.failures())
                .extracting(FailureRecord::zone, FailureRecord::outcome)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "a", "restarted in 3000 ms (instance i2)"),
                        org.assertj.core.groups.Tuple.tuple("b", "reported"));
        s.deleteFailures("a");
        s = reopen(s);
        assertThat(s.failures()).extracting(FailureRecord::zone).containsExactly("b");
        s.close();
    }

    @Test
    void aWriteTheDatabaseFailsRunsTheFailureActionBeforeThrowing() {
        Store s = Store.open(dir.resolve("coordinator"));
        List<String> failures = new java.util.ArrayList<>();
        s.onStoreFailure(e -> failures.add(e.getMessage()));
        s.putSite("eu");
        assertThat(failures).isEmpty();
        s.close(); // the database is gone under the coordinator, as after an I/O error
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.putSite("us"))
                .isInstanceOf(io.livezone.core.EnvironmentException.class);
        assertThat(failures).singleElement().asString().contains("coordinator database error");
    }

    @Test
    void errorsAboutTheDataAreNotStoreFailures() {
        assertThat(Store.storeFailed(new java.sql.SQLException("dup", "23505"))).isFalse();
        assertThat(Store.storeFailed(new java.sql.SQLException("syntax", "42000"))).isFalse();
        assertThat(Store.storeFailed(new java.sql.SQLException("too long", "22001"))).isFalse();
        assertThat(Store.storeFailed(new java.sql.SQLException("io", "90028"))).isTrue();
        assertThat(Store.storeFailed(new java.sql.SQLException("closed", "08003"))).isTrue();
        assertThat(Store.storeFailed(new java.sql.SQLException("unknown"))).isTrue();
    }
}
