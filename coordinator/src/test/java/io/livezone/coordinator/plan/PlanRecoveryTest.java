package io.livezone.coordinator.plan;

import static io.livezone.coordinator.testing.TestCluster.awaitEnd;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.plan.PlanRecord.PlanState;
import io.livezone.coordinator.registry.Store;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.testing.FakeAgents;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.ZoneState;
import io.livezone.core.cluster.MigrationSettings;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link PlanExecutor#recover()} after a coordinator restart: the store says a move was in flight,
 * the (fake) agents say where the zone really is. The stored state is written through {@link Store}
 * directly, as the previous coordinator would have left it.
 */
@Timeout(30)
class PlanRecoveryTest {
    private final Store store = Store.inMemory();
    private final FakeAgents agents = new FakeAgents();
    private final List<TestCluster> clusters = new ArrayList<>();

    @AfterEach
    void close() {
        clusters.forEach(TestCluster::close);
        store.close();
    }

    private TestCluster coordinator() {
        TestCluster c = TestCluster.restartedOn(store, agents);
        clusters.add(c);
        return c;
    }

    /**
     * What the previous coordinator left: zone a of h1 MIGRATING to h2 in plan 1, whose move is in
     * {@code state}; zone b's move to h3 still PENDING.
     */
    private long interruptedPlan(MoveState state) {
        TestCluster before = coordinator();
        before.zone("a", "h1");
        before.zone("b", "h1");
        before.registry.putZone(before.registry.zone("a").in(ZoneLifecycle.MIGRATING));
        MoveRecord a = MoveRecord.pending("a", "h1", "h2");
        a = state == MoveState.PREPARING ? a.in(state) : a.in(MoveState.PREPARING).in(state);
        return store.insertPlan(
                        new PlanRecord(
                                0,
                                "sequential",
                                PlanState.RUNNING,
                                MigrationSettings.DEFAULT,
                                0,
                                System.currentTimeMillis(),
                                0,
                                List.of(a, MoveRecord.pending("b", "h1", "h3"))))
                .id();
    }

    private PlanExecutor restart() {
        PlanExecutor e = coordinator().executor();
        e.recover();
        return e;
    }

    private void expectZonesMoved(TestCluster c, PlanRecord plan) {
        assertThat(plan.state()).isEqualTo(PlanState.DONE);
        assertThat(plan.moves()).extracting(MoveRecord::state).containsOnly(MoveState.DONE);
        assertThat(c.registry.zone("a").host()).isEqualTo("h2");
        assertThat(c.registry.zone("a").state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(c.registry.zone("b").host()).isEqualTo("h3");
        assertThat(agents.state("h2", "a")).hasValue(ZoneState.RUNNING);
        assertThat(agents.state("h1", "a")).isEmpty();
        assertThat(agents.protocolErrors()).isEmpty();
        assertThat(store.plans().getFirst().state()).isEqualTo(PlanState.DONE);
    }

    @Test
    void aMoveWhoseDestinationRunsIsDoneAndTheSourceReleased() {
        long id = interruptedPlan(MoveState.COMMITTING);
        agents.put("h2", "a", ZoneState.RUNNING);
        agents.put("h1", "a", ZoneState.PAUSED);

        PlanExecutor e = restart();
        PlanRecord plan = awaitEnd(e, id);

        // The repeated commit lets the destination's agent close the arrival it may still hold.
        assertThat(agents.calls("a"))
                .containsExactly("h2.commitIncoming(a)", "h1.releaseMigrated(a)");
        expectZonesMoved(clusters.getLast(), plan);
    }

    @Test
    void aMoveWhoseSourceStillRunsIsRunAgain() {
        long id = interruptedPlan(MoveState.MIGRATING);
        agents.put("h2", "a", ZoneState.INCOMING);

        PlanRecord plan = awaitEnd(restart(), id);

        assertThat(agents.calls("a"))
                .containsExactly(
                        "h2.discardIncoming(a)",
                        "h2.prepareIncoming(a)",
                        "h1.migrateOut(a)",
                        "h2.commitIncoming(a)",
                        "h1.releaseMigrated(a)");
        expectZonesMoved(clusters.getLast(), plan);
    }

    @Test
    void aMigratedButUncommittedZoneIsCommitted() {
        long id = interruptedPlan(MoveState.MIGRATING);
        agents.arrived("h2", "a");
        agents.put("h1", "a", ZoneState.PAUSED);

        PlanRecord plan = awaitEnd(restart(), id);

        assertThat(agents.calls("a"))
                .containsExactly("h2.commitIncoming(a)", "h1.releaseMigrated(a)");
        expectZonesMoved(clusters.getLast(), plan);
    }

    /**
     * The source stopped mid-stream (its migration failed) and the destination never got the whole
     * zone: it never ran, so it is discarded first, then the source resumes and the move runs
     * again.
     */
    @Test
    void aStoppedSourceWithAnIncompleteDestinationRollsBackAndTheMoveRunsAgain() {
        long id = interruptedPlan(MoveState.MIGRATING);
        agents.put("h2", "a", ZoneState.INCOMING);
        agents.put("h1", "a", ZoneState.PAUSED);

        PlanRecord plan = awaitEnd(restart(), id);

        assertThat(agents.calls("a"))
                .startsWith("h2.discardIncoming(a)", "h1.resumeSource(a)", "h2.prepareIncoming(a)");
        expectZonesMoved(clusters.getLast(), plan);
    }

    @Test
    void aPausedSourceWithoutDestinationResumesAndTheMoveRunsAgain() {
        long id = interruptedPlan(MoveState.COMMITTING);
        agents.put("h1", "a", ZoneState.PAUSED);

        PlanRecord plan = awaitEnd(restart(), id);

        assertThat(agents.calls("a"))
                .containsExactly(
                        "h1.resumeSource(a)",
                        "h2.prepareIncoming(a)",
                        "h1.migrateOut(a)",
                        "h2.commitIncoming(a)",
                        "h1.releaseMigrated(a)");
        expectZonesMoved(clusters.getLast(), plan);
    }

    @Test
    void aMoveInPreparationIsRunAgain() {
        long id = interruptedPlan(MoveState.PREPARING);

        PlanRecord plan = awaitEnd(restart(), id);

        assertThat(agents.calls("a"))
                .containsExactly(
                        "h2.prepareIncoming(a)",
                        "h1.migrateOut(a)",
                        "h2.commitIncoming(a)",
                        "h1.releaseMigrated(a)");
        expectZonesMoved(clusters.getLast(), plan);
    }

    /**
     * The source's agent cannot be asked and the destination never got the zone: nothing is resumed
     * or discarded; past the deadline the zone is reported at risk (LOST).
     */
    @Test
    void aMoveThatCannotBeSettledChangesNothingAndItsZoneIsReportedLost() {
        long id = interruptedPlan(MoveState.MIGRATING);
        agents.put("h2", "a", ZoneState.INCOMING);
        agents.down("h1");

        PlanExecutor e = coordinator().executor();
        e.resolveDeadline(java.time.Duration.ofSeconds(3));
        e.recover();
        PlanRecord plan = awaitEnd(e, id);
        TestCluster c = clusters.getLast();

        assertThat(plan.state()).isEqualTo(PlanState.FAILED);
        assertThat(plan.moves().getFirst().state()).isEqualTo(MoveState.FAILED);
        assertThat(plan.moves().getFirst().error())
                .startsWith("zone at risk: coordinator restarted mid-move")
                .contains("nothing was resumed or discarded");
        assertThat(c.registry.zone("a").state()).isEqualTo(ZoneLifecycle.LOST);
        assertThat(agents.calls("a")).isEmpty();
        assertThat(agents.state("h2", "a")).hasValue(ZoneState.INCOMING);
    }

    /** A destination staged by the previous coordinator waits, never ran: it is replaced. */
    @Test
    void aDestinationStagedBeforeTheRestartIsReplaced() {
        long id = interruptedPlan(MoveState.PREPARING);
        store.putMove(id, 0, MoveRecord.pending("a", "h1", "h2"));
        agents.put("h2", "a", ZoneState.INCOMING);

        PlanRecord plan = awaitEnd(restart(), id);

        assertThat(agents.calls("a"))
                .containsExactly(
                        "h2.prepareIncoming(a)",
                        "h2.discardIncoming(a)",
                        "h2.prepareIncoming(a)",
                        "h1.migrateOut(a)",
                        "h2.commitIncoming(a)",
                        "h1.releaseMigrated(a)");
        assertThat(plan.state()).isEqualTo(PlanState.DONE);
        assertThat(clusters.getLast().registry.zone("a").host()).isEqualTo("h2");
        assertThat(agents.state("h2", "a")).hasValue(ZoneState.RUNNING);
        // The one refusal: the first prepare found the old waiting VM.
        assertThat(agents.protocolErrors())
                .containsExactly("h2.prepareIncoming(a): zone is INCOMING, expected null");
    }

    @Test
    void finishedPlansAreReadBackButNotRun() {
        TestCluster before = coordinator();
        before.zone("a", "h1");
        long id =
                store.insertPlan(
                                new PlanRecord(
                                        0,
                                        "parallel",
                                        PlanState.RUNNING,
                                        MigrationSettings.DEFAULT,
                                        0,
                                        1000,
                                        0,
                                        List.of(MoveRecord.pending("a", "h1", "h2"))))
                        .id();
        store.putPlanState(id, PlanState.CANCELLED, 2000);

        PlanExecutor e = restart();

        PlanRecord plan = e.plan(id).orElseThrow();
        assertThat(plan.state()).isEqualTo(PlanState.CANCELLED);
        assertThat(plan.elapsedMillis()).isEqualTo(1000);
        assertThat(e.plans()).containsExactly(plan);
        assertThat(agents.calls()).isEmpty();
    }
}
