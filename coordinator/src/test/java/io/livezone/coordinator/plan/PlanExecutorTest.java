package io.livezone.coordinator.plan;

import static io.livezone.coordinator.testing.TestCluster.awaitEnd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.plan.PlanRecord.PlanState;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.testing.FakeAgents;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.MigrationFailedException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.ZoneState;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.ApiException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The plan executor's logic against fake agents: the order of the agent calls of a move, what each
 * failure leaves behind, validation, cancel and timeout, and the sequential schedule's promise. The
 * real thing, with VMs, is integration/ClusterTest.
 */
@Timeout(30)
class PlanExecutorTest {
    private final TestCluster cluster = new TestCluster();
    private final FakeAgents agents = cluster.agents;
    private final PlanExecutor executor = cluster.executor();

    @AfterEach
    void close() {
        cluster.close();
    }

    private static PlanRequest.Move move(String zone, String to) {
        return new PlanRequest.Move(zone, to);
    }

    private PlanRecord submit(String algorithm, PlanRequest.Move... moves) {
        return executor.submit(new PlanRequest(algorithm, List.of(moves), null, 0));
    }

    private MoveRecord moveOf(long plan, String zone) {
        return executor.plan(plan).orElseThrow().moves().stream()
                .filter(m -> m.zone().equals(zone))
                .findFirst()
                .orElseThrow();
    }

    private void awaitMigrating(String host, String zone) {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(5))
                .until(
                        () -> agents.state(host, zone),
                        s -> s.equals(Optional.of(ZoneState.MIGRATING)));
    }

    private ZoneRecord zone(String name) {
        return cluster.registry.zone(name);
    }

    @Test
    void aMovePreparesMigratesCommitsThenReleasesAndRecordsTheNewHost() {
        cluster.zone("a", "h1");

        PlanRecord submitted = submit("parallel", move("a", "h3"));
        assertThat(submitted.state()).isEqualTo(PlanState.RUNNING);
        assertThat(submitted.moves())
                .extracting(MoveRecord::state)
                .containsExactly(MoveState.PENDING);
        PlanRecord done = awaitEnd(executor, submitted.id());

        assertThat(agents.calls("a"))
                .containsExactly(
                        "h3.prepareIncoming(a)",
                        "h1.migrateOut(a)",
                        "h3.commitIncoming(a)",
                        "h1.releaseMigrated(a)");
        assertThat(done.state()).isEqualTo(PlanState.DONE);
        MoveRecord m = done.moves().getFirst();
        assertThat(m.state()).isEqualTo(MoveState.DONE);
        assertThat(m.percent()).isEqualTo(100);
        assertThat(m.transferredBytes()).isEqualTo(200L << 20);
        assertThat(m.downtimeMillis()).isEqualTo(7);
        assertThat(m.totalMillis()).isEqualTo(100);
        assertThat(m.error()).isNull();
        assertThat(m.startedMillis()).isPositive().isLessThanOrEqualTo(m.finishedMillis());
        assertThat(done.percent()).isEqualTo(100);
        assertThat(done.finishedMillis()).isGreaterThanOrEqualTo(done.createdMillis());

        assertThat(zone("a").host()).isEqualTo("h3");
        assertThat(zone("a").state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(agents.state("h3", "a")).hasValue(ZoneState.RUNNING);
        assertThat(agents.state("h1", "a")).isEmpty();
        assertThat(agents.protocolErrors()).isEmpty();

        // What a restarted coordinator would read back.
        PlanRecord stored = cluster.store.plans().getFirst();
        assertThat(stored.state()).isEqualTo(PlanState.DONE);
        assertThat(stored.moves()).extracting(MoveRecord::state).containsExactly(MoveState.DONE);
        assertThat(cluster.store.zones()).containsExactly(zone("a"));
    }

    @Test
    void theSourceGetsTheDestinationTicketTheSettingsAndTheEmulatedLink() {
        cluster.zone("a", "h1");
        cluster.zone("b", "h1");
        var settings = new MigrationSettings(100, 0, false, true);

        long id =
                executor.submit(
                                new PlanRequest(
                                        "parallel",
                                        List.of(move("a", "h3"), move("b", "h2")),
                                        settings,
                                        0))
                        .id();
        awaitEnd(executor, id);

        MigrateOutRequest toUs = agents.migrateOutRequest("a").orElseThrow();
        assertThat(toUs.ticket().address()).isEqualTo("h3");
        assertThat(toUs.ticket().port()).isEqualTo(FakeAgents.TICKET_PORT);
        assertThat(toUs.settings()).isEqualTo(settings);
        assertThat(toUs.link()).isEqualTo(TestCluster.EU_US);
        assertThat(agents.migrateOutRequest("b").orElseThrow().link()).isEqualTo(LinkSettings.NONE);
    }

    @Test
    void whenMigrateOutFailsTheDestinationIsDiscardedAndTheZoneStaysAtItsSource() {
        cluster.zone("a", "h1");
        agents.failNext(
                "h1", "migrateOut", new MigrationFailedException("stream broke", true, null));

        PlanRecord plan = awaitEnd(executor, submit("parallel", move("a", "h2")).id());

        assertThat(agents.calls("a"))
                .containsExactly(
                        "h2.prepareIncoming(a)", "h1.migrateOut(a)", "h2.discardIncoming(a)");
        assertThat(plan.state()).isEqualTo(PlanState.FAILED);
        assertThat(plan.moves().getFirst().state()).isEqualTo(MoveState.FAILED);
        assertThat(plan.moves().getFirst().error())
                .isEqualTo("rolled back: stream broke; the zone runs on h1");
        assertThat(zone("a").host()).isEqualTo("h1");
        assertThat(zone("a").state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(agents.state("h1", "a")).hasValue(ZoneState.RUNNING);
        assertThat(agents.state("h2", "a")).isEmpty();
        assertThat(agents.protocolErrors()).isEmpty();
    }

    /**
     * A destination VM left behind by a move rolled back while its agent could not be asked never
     * ran: the sweep discards it; a destination a running plan still expects is left alone.
     */
    @Test
    void strayArrivingVmsAreDiscardedButExpectedOnesStay() {
        cluster.zone("a", "h1");
        cluster.zone("b", "h1");
        agents.put("h2", "a", ZoneState.INCOMING);
        agents.hold("b");
        long id = submit("parallel", move("b", "h3")).id();
        awaitMigrating("h1", "b");

        assertThat(executor.sweepStrays()).containsExactly("a@h2");

        assertThat(agents.state("h2", "a")).isEmpty();
        assertThat(agents.state("h3", "b")).hasValue(ZoneState.INCOMING);
        agents.release("b");
        assertThat(awaitEnd(executor, id).state()).isEqualTo(PlanState.DONE);
        assertThat(executor.sweepStrays()).isEmpty();
    }

    /**
     * A source stopped for good after its migration completed, whose release was lost (its agent
     * died at the release): once the zone's new host confirms it runs there, the sweep releases it;
     * while that host does not confirm, the stopped copy is kept.
     */
    @Test
    void aStoppedSourceWhoseReleaseWasLostIsReleasedOnlyOnceTheNewHostConfirms() {
        cluster.zone("a", "h2");
        agents.put("h2", "a", ZoneState.DEAD);
        agents.put("h1", "a", ZoneState.PAUSED);

        assertThat(executor.sweepStrays()).as("the new host does not run it").isEmpty();
        assertThat(agents.state("h1", "a")).hasValue(ZoneState.PAUSED);

        agents.put("h2", "a", ZoneState.RUNNING);
        assertThat(executor.sweepStrays()).containsExactly("a@h1");
        assertThat(agents.calls("a")).contains("h1.releaseMigrated(a)");
    }

    /**
     * The commit's answer is lost, but the destination arrived and never ran: the stored decision
     * stands, the commit is repeated, and the zone moves. The source is never resumed.
     */
    @Test
    void whenACommitFailsItIsRepeatedAndTheSourceIsNeverResumed() {
        cluster.zone("a", "h1");
        agents.failNext("h2", "commitIncoming", new EnvironmentException("answer lost"));

        PlanRecord plan = awaitEnd(executor, submit("parallel", move("a", "h2")).id());

        assertThat(agents.calls("a"))
                .containsExactly(
                        "h2.prepareIncoming(a)",
                        "h1.migrateOut(a)",
                        "h2.commitIncoming(a)",
                        "h2.commitIncoming(a)",
                        "h1.releaseMigrated(a)");
        assertThat(plan.state()).isEqualTo(PlanState.DONE);
        assertThat(zone("a").host()).isEqualTo("h2");
        assertThat(zone("a").state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(agents.state("h2", "a")).hasValue(ZoneState.RUNNING);
        assertThat(agents.state("h1", "a")).isEmpty();
        assertThat(agents.protocolErrors()).isEmpty();
    }

    /**
     * The destination's VM ended before it ever ran: it is fenced (discarded) first, and only then
     * does the stopped source resume. One copy runs, and no input is lost.
     */
    @Test
    void whenTheDestinationEndsBeforeRunningItIsFencedThenTheSourceResumes() {
        cluster.zone("a", "h1");
        agents.failNext("h2", "commitIncoming", new EnvironmentException("QEMU is gone"));
        agents.onCall(
                "h2.commitIncoming(a)", () -> agents.put("h2", "a", ZoneState.ARRIVAL_FAILED));

        PlanRecord plan = awaitEnd(executor, submit("parallel", move("a", "h2")).id());

        assertThat(agents.calls("a"))
                .containsExactly(
                        "h2.prepareIncoming(a)",
                        "h1.migrateOut(a)",
                        "h2.commitIncoming(a)",
                        "h2.discardIncoming(a)",
                        "h1.resumeSource(a)");
        assertThat(plan.state()).isEqualTo(PlanState.FAILED);
        assertThat(plan.moves().getFirst().error())
                .isEqualTo("rolled back: commit failed: QEMU is gone; the zone runs on h1");
        assertThat(zone("a").host()).isEqualTo("h1");
        assertThat(zone("a").state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(agents.state("h1", "a")).hasValue(ZoneState.RUNNING);
        assertThat(agents.state("h2", "a")).isEmpty();
    }

    /**
     * The destination's agent stops answering at the commit: its VM may have run, so nothing is
     * resumed or discarded; when it answers again the move finishes forward.
     */
    @Test
    void whenTheDestinationCannotBeAskedNothingIsResumedUntilItAnswers() {
        cluster.zone("a", "h1");
        agents.onCall("h2.commitIncoming(a)", () -> agents.down("h2"));

        long id = submit("parallel", move("a", "h2")).id();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> agents.calls("a").contains("h2.commitIncoming(a)"));
        // Evidence, not a pause: three more rounds of asking h2 go by while it is down.
        int asked = agents.zoneQueries("h2");
        await().atMost(Duration.ofSeconds(20)).until(() -> agents.zoneQueries("h2") >= asked + 3);
        assertThat(agents.state("h1", "a")).hasValue(ZoneState.PAUSED);
        assertThat(agents.calls("a")).doesNotContain("h1.resumeSource(a)", "h2.discardIncoming(a)");
        agents.up("h2");

        PlanRecord plan = awaitEnd(executor, id);
        assertThat(plan.state()).isEqualTo(PlanState.DONE);
        assertThat(zone("a").host()).isEqualTo("h2");
        assertThat(agents.calls("a")).doesNotContain("h1.resumeSource(a)", "h2.discardIncoming(a)");
    }

    @Test
    void whenPrepareFailsNothingElseIsAsked() {
        cluster.zone("a", "h1");
        agents.failNext("h2", "prepareIncoming", ApiException.conflict("no room"));

        PlanRecord plan = awaitEnd(executor, submit("parallel", move("a", "h2")).id());

        assertThat(agents.calls("a")).containsExactly("h2.prepareIncoming(a)");
        assertThat(plan.state()).isEqualTo(PlanState.FAILED);
        assertThat(plan.moves().getFirst().error()).isEqualTo("no room");
        assertThat(zone("a").host()).isEqualTo("h1");
        assertThat(zone("a").state()).isEqualTo(ZoneLifecycle.RUNNING);
    }

    @Test
    void aFailedReleaseDoesNotUndoACommittedMove() {
        cluster.zone("a", "h1");
        agents.failNext("h1", "releaseMigrated", new EnvironmentException("agent busy"));

        PlanRecord plan = awaitEnd(executor, submit("parallel", move("a", "h2")).id());

        assertThat(plan.state()).isEqualTo(PlanState.DONE);
        assertThat(zone("a").host()).isEqualTo("h2");
        assertThat(agents.calls("a")).doesNotContain("h2.discardIncoming(a)");
    }

    @Test
    void oneFailedMoveFailsThePlanButTheOthersFinish() {
        cluster.zone("a", "h1");
        cluster.zone("b", "h1");
        agents.failNext("h3", "prepareIncoming", new EnvironmentException("h3 is full"));

        PlanRecord plan =
                awaitEnd(executor, submit("parallel", move("a", "h3"), move("b", "h2")).id());

        assertThat(plan.state()).isEqualTo(PlanState.FAILED);
        assertThat(plan.moves())
                .extracting(MoveRecord::state)
                .containsExactly(MoveState.FAILED, MoveState.DONE);
        assertThat(zone("a").host()).isEqualTo("h1");
        assertThat(zone("b").host()).isEqualTo("h2");
    }

    @Test
    void progressIsReportedWhileAZoneMigrates() {
        cluster.zone("a", "h1");
        agents.hold("a");
        long id = submit("parallel", move("a", "h2")).id();
        awaitMigrating("h1", "a");
        assertThat(zone("a").state()).isEqualTo(ZoneLifecycle.MIGRATING);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> {
                            MoveRecord m = moveOf(id, "a");
                            assertThat(m.state()).isEqualTo(MoveState.MIGRATING);
                            assertThat(m.percent()).isEqualTo(50);
                            assertThat(m.transferredBytes()).isEqualTo(100);
                        });
        assertThat(executor.plan(id).orElseThrow().percent()).isEqualTo(50);

        agents.release("a");
        assertThat(awaitEnd(executor, id).state()).isEqualTo(PlanState.DONE);
    }

    @Test
    void rejectedPlansLeaveNoTrace() {
        cluster.zone("a", "h1");
        cluster.zone("b", "h2");
        cluster.registry.addHost("h4", "eu", TestCluster.HOST_MEMORY, TestCluster.NIC);

        assertThatThrownBy(() -> submit("parallel", move("nope", "h2")))
                .isInstanceOf(ZoneNotFoundException.class)
                .hasMessage("unknown zone 'nope'");
        assertRejected(() -> submit("parallel", move("a", "h9")), 404, "unknown host 'h9'");
        assertThatThrownBy(() -> submit("parallel", move("a", "h2"), move("a", "h3")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone 'a' appears twice in the plan");
        assertThatThrownBy(() -> submit("parallel", move("a", "h1")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone 'a' already runs on h1");
        assertRejected(
                () -> submit("parallel", move("a", "h4")),
                409,
                "host h4 is UNKNOWN; its agent must be up");
        assertThatThrownBy(() -> submit("fastest", move("a", "h2")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown migration schedule policy 'fastest'");
        // A bad move after a good one: the good one must not start either.
        assertThatThrownBy(() -> submit("parallel", move("b", "h3"), move("a", "h1")))
                .isInstanceOf(InvalidInputException.class);

        assertThat(executor.plans()).isEmpty();
        assertThat(cluster.store.plans()).isEmpty();
        assertThat(agents.calls()).isEmpty();
        assertThat(zone("a").state()).isEqualTo(ZoneLifecycle.RUNNING);
    }

    @Test
    void zonesOnADownHostAndLostZonesDoNotMove() {
        cluster.zone("a", "h1");
        long now = System.currentTimeMillis();
        cluster.registry.heartbeat(TestCluster.heartbeat("h1", "eu", now), now);
        cluster.registry.heartbeat(TestCluster.heartbeat("h2", "eu", now + 10_000), now + 10_000);
        cluster.registry.heartbeat(TestCluster.heartbeat("h3", "us", now + 10_000), now + 10_000);
        assertThat(cluster.registry.expire(now + 6_000, 5_000)).containsExactly("h1");

        assertRejected(
                () -> submit("parallel", move("a", "h2")),
                409,
                "zone 'a' is LOST; only running zones move");
        cluster.registry.putZone(zone("a").in(ZoneLifecycle.RUNNING));
        assertRejected(
                () -> submit("parallel", move("a", "h2")),
                409,
                "zone 'a' runs on h1, which is DOWN");
        assertThat(cluster.store.plans()).isEmpty();
    }

    @Test
    void capacityIsCheckedForThePlacementAfterThePlan() {
        // h2 holds 4 × 192 MiB of its 1024 MiB: one more zone fits, two do not...
        for (String z : List.of("b1", "b2", "b3", "b4")) {
            cluster.zone(z, "h2");
        }
        cluster.zone("a1", "h1");
        cluster.zone("a2", "h1");

        assertThatThrownBy(() -> submit("parallel", move("a1", "h2"), move("a2", "h2")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "no capacity: after the plan host h2 would hold 1152 MiB of zones but has"
                                + " 1024 MiB");
        assertThat(cluster.store.plans()).isEmpty();

        // ...unless one of h2's zones leaves in the same plan.
        PlanRecord swap =
                awaitEnd(
                        executor,
                        submit("parallel", move("a1", "h2"), move("a2", "h2"), move("b1", "h3"))
                                .id());
        assertThat(swap.state()).isEqualTo(PlanState.DONE);
        assertThat(agents.protocolErrors()).isEmpty();
    }

    @Test
    void aZoneInAnotherRunningPlanCannotBeMovedAgain() {
        cluster.zone("a", "h1");
        cluster.zone("b", "h1");
        agents.hold("a");
        // Sequential: b waits (PENDING, zone still RUNNING) while a migrates.
        long first = submit("sequential", move("a", "h2"), move("b", "h2")).id();
        awaitMigrating("h1", "a");

        assertRejected(
                () -> submit("parallel", move("b", "h3")),
                409,
                "zone 'b' is already being moved by another plan");
        assertRejected(
                () -> submit("parallel", move("a", "h3")),
                409,
                "zone 'a' is already being moved by another plan");
        assertThat(executor.plans()).extracting(PlanRecord::id).containsExactly(first);

        agents.release("a");
        assertThat(awaitEnd(executor, first).state()).isEqualTo(PlanState.DONE);
        // Once that plan is over the zone is free to move again.
        assertThat(awaitEnd(executor, submit("parallel", move("b", "h3")).id()).state())
                .isEqualTo(PlanState.DONE);
    }

    @Test
    void cancelAbortsTheRunningMoveAndDropsThePendingOnes() {
        cluster.zone("a", "h1");
        cluster.zone("b", "h1");
        cluster.zone("c", "h1");
        agents.hold("a");
        long id = submit("sequential", move("a", "h2"), move("b", "h2"), move("c", "h3")).id();
        awaitMigrating("h1", "a");

        PlanRecord answer = executor.cancel(id);
        assertThat(answer.id()).isEqualTo(id);
        PlanRecord plan = awaitEnd(executor, id);

        assertThat(plan.state()).isEqualTo(PlanState.CANCELLED);
        assertThat(plan.moves()).extracting(MoveRecord::state).containsOnly(MoveState.CANCELLED);
        assertThat(plan.moves().get(1).error()).isEqualTo("cancelled by operator");
        assertThat(agents.calls("a"))
                .containsExactly(
                        "h2.prepareIncoming(a)",
                        "h1.migrateOut(a)",
                        "h1.cancelMigration(a)",
                        "h2.discardIncoming(a)");
        // Every schedule prepares the destinations of waiting moves ahead (one per destination
        // host); a cancelled plan discards them, and the waiting zones never migrate.
        assertThat(agents.calls("b"))
                .containsExactly("h2.prepareIncoming(b)", "h2.discardIncoming(b)");
        assertThat(agents.calls("c"))
                .containsExactly("h3.prepareIncoming(c)", "h3.discardIncoming(c)");
        assertThat(agents.calls()).hasSize(8);
        for (String z : List.of("a", "b", "c")) {
            assertThat(zone(z).host()).isEqualTo("h1");
            assertThat(zone(z).state()).isEqualTo(ZoneLifecycle.RUNNING);
            assertThat(agents.state("h1", z)).hasValue(ZoneState.RUNNING);
        }
        assertThat(agents.state("h2", "a")).isEmpty();
        assertThat(agents.state("h2", "b")).isEmpty();
        assertThat(agents.state("h3", "c")).isEmpty();
        assertThat(cluster.store.plans().getFirst().state()).isEqualTo(PlanState.CANCELLED);
        assertThat(agents.protocolErrors()).isEmpty();

        assertRejected(() -> executor.cancel(id), 409, "plan " + id + " has already finished");
        assertRejected(() -> executor.cancel(id + 100), 404, "unknown plan " + (id + 100));
    }

    @Test
    void aPlanPastItsTimeoutAbortsItsMovesAndFails() {
        cluster.zone("a", "h1");
        cluster.zone("b", "h1");
        agents.hold("a");

        long id =
                executor.submit(
                                new PlanRequest(
                                        "sequential",
                                        List.of(move("a", "h2"), move("b", "h2")),
                                        null,
                                        1))
                        .id();
        PlanRecord plan = awaitEnd(executor, id);

        assertThat(plan.state()).isEqualTo(PlanState.FAILED);
        assertThat(plan.moves())
                .extracting(MoveRecord::state)
                .containsExactly(MoveState.FAILED, MoveState.CANCELLED);
        assertThat(plan.moves().get(1).error()).isEqualTo("plan timed out after 1 s");
        // Not before the deadline; after it, generously: the run loop looks at the deadline at
        // least every 250 ms, and a timeout read as minutes would take 60 s.
        assertThat(plan.finishedMillis() - plan.createdMillis()).isBetween(1_000L, 5_000L);
        assertThat(agents.calls("a")).contains("h1.cancelMigration(a)");
        assertThat(zone("a").host()).isEqualTo("h1");
        assertThat(zone("a").state()).isEqualTo(ZoneLifecycle.RUNNING);
        // b waited: its destination was prepared ahead, then discarded; b itself never moved.
        assertThat(agents.calls("b"))
                .containsExactly("h2.prepareIncoming(b)", "h2.discardIncoming(b)");
        assertThat(agents.state("h2", "b")).isEmpty();
        assertThat(agents.state("h1", "b")).hasValue(ZoneState.RUNNING);
    }

    /** Moves a→h2, b→h3 (from h1), c→h3 (from h2), d→h1 (from h3): every host in two moves. */
    private long submitChain(String algorithm) {
        cluster.zone("a", "h1");
        cluster.zone("b", "h1");
        cluster.zone("c", "h2");
        cluster.zone("d", "h3");
        return submit(algorithm, move("a", "h2"), move("b", "h3"), move("c", "h3"), move("d", "h1"))
                .id();
    }

    /**
     * Holds every migration of the plan, then lets them finish one by one, each once its progress
     * has been polled (every 500 ms): by then the executor has long run its loop on the move's
     * state changes, so a schedule that would start another migration beside it has started it, and
     * the fake agents counted the overlap. Returns the ended plan.
     */
    private PlanRecord finishHeldMigrationsOneByOne(long id, List<String> zones) {
        List<String> released = new java.util.ArrayList<>();
        for (int i = 0; i < zones.size(); i++) {
            String next =
                    await().atMost(Duration.ofSeconds(10))
                            .until(
                                    () ->
                                            executor.plan(id).orElseThrow().moves().stream()
                                                    .filter(m -> !released.contains(m.zone()))
                                                    .filter(m -> m.state() == MoveState.MIGRATING)
                                                    .filter(m -> m.percent() == 50)
                                                    .map(MoveRecord::zone)
                                                    .findFirst(),
                                    Optional::isPresent)
                            .orElseThrow();
            released.add(next);
            agents.release(next);
        }
        return awaitEnd(executor, id);
    }

    @Test
    void theSequentialScheduleNeverRunsTwoMigrationsOnOneHost() {
        List<String> zones = List.of("a", "b", "c", "d");
        zones.forEach(agents::hold);

        PlanRecord plan = finishHeldMigrationsOneByOne(submitChain("sequential"), zones);

        assertThat(plan.state()).isEqualTo(PlanState.DONE);
        for (String h : List.of("h1", "h2", "h3")) {
            assertThat(agents.mostMigrationsAtOnce(h))
                    .as("migrations at once on " + h)
                    .isEqualTo(1);
        }
        assertThat(agents.calls().stream().filter(c -> c.contains(".migrateOut(")))
                .containsExactly(
                        "h1.migrateOut(a)",
                        "h1.migrateOut(b)",
                        "h2.migrateOut(c)",
                        "h3.migrateOut(d)");
        assertThat(agents.protocolErrors()).isEmpty();
    }

    @Test
    void theParallelScheduleDoesRunThemAtOnce() {
        // The counterpart of the test above: shows the fake sees overlapping migrations.
        for (String z : List.of("a", "b", "c", "d")) {
            agents.hold(z);
        }
        long id = submitChain("parallel");
        awaitMigrating("h1", "a");
        awaitMigrating("h1", "b");
        awaitMigrating("h2", "c");
        awaitMigrating("h3", "d");
        for (String z : List.of("a", "b", "c", "d")) {
            agents.release(z);
        }

        assertThat(awaitEnd(executor, id).state()).isEqualTo(PlanState.DONE);
        assertThat(agents.mostMigrationsAtOnce("h1")).isEqualTo(3);
        assertThat(agents.mostMigrationsAtOnce("h3")).isEqualTo(3);
    }

    @Test
    void clusterConcurrencyCapsHoldEvenForTheParallelSchedule() {
        cluster.registry.setMigrationLimits(new Registry.MigrationLimits(0, 0, 1));
        List<String> zones = List.of("a", "b", "c", "d");
        zones.forEach(agents::hold);

        PlanRecord plan = finishHeldMigrationsOneByOne(submitChain("parallel"), zones);

        assertThat(plan.state()).isEqualTo(PlanState.DONE);
        for (String h : List.of("h1", "h2", "h3")) {
            assertThat(agents.mostMigrationsAtOnce(h))
                    .as("migrations at once on " + h)
                    .isEqualTo(1);
        }
    }

    @Test
    void planRequestsValidateTheirShape() {
        assertThatThrownBy(() -> new PlanRequest("parallel", List.of(), null, 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a plan needs at least one move");
        assertThatThrownBy(() -> new PlanRequest("parallel", null, null, 0))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new PlanRequest("parallel", List.of(move("a", "h2")), null, -1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("timeoutSeconds must not be negative");
        assertThatThrownBy(() -> move("a", null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("each move needs a zone and a destination host");

        PlanRequest defaults = new PlanRequest(null, List.of(move("a", "h2")), null, 0);
        assertThat(defaults.algorithm()).isEqualTo("auto");
        assertThat(defaults.settings()).isEqualTo(MigrationSettings.DEFAULT);
    }

    @Test
    void theAutoScheduleMovesEverything() {
        PlanRecord plan = awaitEnd(executor, submitChain("auto"));

        assertThat(plan.state()).isEqualTo(PlanState.DONE);
        assertThat(zone("a").host()).isEqualTo("h2");
        assertThat(zone("d").host()).isEqualTo("h1");
        assertThat(agents.protocolErrors()).isEmpty();
    }

    private static void assertRejected(Runnable call, int status, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(status))
                .hasMessage(message);
    }
}
