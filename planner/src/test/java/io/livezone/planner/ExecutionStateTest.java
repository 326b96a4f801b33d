package io.livezone.planner;

import static io.livezone.planner.Plans.NIC;
import static io.livezone.planner.Plans.ZONE;
import static io.livezone.planner.Plans.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.util.List;

/** The executor's side: asking a schedule what to start as the state changes. */
class ExecutionStateTest {

    private static List<String> zones(List<Move> moves) {
        return moves.stream().map(Move::zone).toList();
    }

    @Test
    void scheduleAnswersFromTheStateAndRepeatsMovesNotStarted() {
        PlanInput swap =
                plan().hosts("s1", "s2").move("a", "s1", "s2").move("b", "s2", "s1").build();
        MigrationSchedule schedule = new ContentionAwareSchedule().createSchedule(swap);
        ExecutionState state = ExecutionState.of(swap);

        assertThat(zones(schedule.movesToStart(state))).containsExactlyInAnyOrder("a", "b");
        // Not started yet: asked again, the same answer.
        assertThat(zones(schedule.movesToStart(state))).containsExactlyInAnyOrder("a", "b");

        state.started("a");
        assertThat(zones(schedule.movesToStart(state))).containsExactly("b");
        state.started("b");
        assertThat(schedule.movesToStart(state)).isEmpty();

        state.finished("a");
        state.finished("b");
        assertThat(state.isFinished()).isTrue();
        assertThat(state.count(MoveStatus.DONE)).isEqualTo(2);
        assertThat(schedule.movesToStart(state)).isEmpty();
    }

    @Test
    void sequentialStartsTheNextMoveOfABusyServerWhenTheFirstEnds() {
        PlanInput swap =
                plan().hosts("s1", "s2").move("a", "s1", "s2").move("b", "s2", "s1").build();
        MigrationSchedule schedule = new SequentialSchedule().createSchedule(swap);
        ExecutionState state = ExecutionState.of(swap);

        assertThat(zones(schedule.movesToStart(state))).containsExactly("a");
        state.started("a");
        assertThat(schedule.movesToStart(state)).isEmpty();
        state.finished("a");
        assertThat(zones(schedule.movesToStart(state))).containsExactly("b");
    }

    @Test
    void memoryIsReservedOnStartAndFreedOnTheSourceAtTheEnd() {
        PlanInput input =
                plan().host("s1", NIC, ZONE)
                        .host("s2", NIC, ZONE)
                        .host("s3", NIC, ZONE)
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s3")
                        .build();
        MigrationSchedule schedule = new ParallelSchedule().createSchedule(input);
        ExecutionState state = ExecutionState.of(input);

        assertThat(zones(schedule.movesToStart(state))).containsExactly("b");
        state.started("b");
        assertThat(state.freeMemoryBytes("s3")).isZero();
        assertThat(schedule.movesToStart(state)).isEmpty();
        state.finished("b");
        assertThat(state.freeMemoryBytes("s2")).isEqualTo(ZONE);
        assertThat(zones(schedule.movesToStart(state))).containsExactly("a");
    }

    @Test
    void aFailedMigrationThatHeldNeededRoomStallsThePlanWithAReason() {
        PlanInput input =
                plan().host("s1", NIC, ZONE)
                        .host("s2", NIC, ZONE)
                        .host("s3", NIC, ZONE)
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s3")
                        .build();
        MigrationSchedule schedule = new ContentionAwareSchedule().createSchedule(input);
        ExecutionState state = ExecutionState.of(input);
        schedule.movesToStart(state).forEach(m -> state.started(m.zone()));
        assertThat(state.stallReason()).isEmpty();

        state.failed("b");

        // b stays on s2, its reservation on s3 is released, and a can never fit.
        assertThat(state.freeMemoryBytes("s3")).isEqualTo(ZONE);
        assertThat(schedule.movesToStart(state)).isEmpty();
        assertThat(state.stallReason())
                .hasValueSatisfying(
                        reason ->
                                assertThat(reason)
                                        .contains("1 moves pending and none running")
                                        .contains("zone a needs")
                                        .contains("on s2, which has 0MiB free"));
    }

    @Test
    void cancellingAPendingMoveLetsTheNextInLineGo() {
        // s2 has room for one of a and c until b has left: it admits them in order, a first.
        PlanInput input =
                plan().host("s1", NIC, ZONE)
                        .host("s2", NIC, 2 * ZONE)
                        .host("s3", NIC, ZONE)
                        .host("s4", NIC, ZONE)
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s3")
                        .move("c", "s4", "s2")
                        .build();
        MigrationSchedule schedule = new ParallelSchedule().createSchedule(input);
        ExecutionState state = ExecutionState.of(input);
        assertThat(zones(schedule.movesToStart(state))).containsExactlyInAnyOrder("a", "b");

        state.failed("a");

        assertThat(state.status("a")).isEqualTo(MoveStatus.FAILED);
        assertThat(zones(schedule.movesToStart(state))).containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void rejectsTransitionsThatDidNotHappen() {
        PlanInput input = plan().hosts("s1", "s2").move("a", "s1", "s2").build();
        ExecutionState state = ExecutionState.of(input);

        assertThatThrownBy(() -> state.finished("a"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("zone a is PENDING; only running moves finish");
        state.started("a");
        assertThatThrownBy(() -> state.started("a"))
                .hasMessageContaining("zone a is RUNNING; only pending moves start");
        state.finished("a");
        assertThatThrownBy(() -> state.failed("a"))
                .hasMessageContaining("only pending or running moves can fail");
        assertThatThrownBy(() -> state.started("zz"))
                .hasMessageContaining("zone zz is not part of this plan");
    }

    @Test
    void rejectsStartingAMoveWhoseDestinationIsFull() {
        PlanInput input =
                plan().host("s1", NIC, ZONE)
                        .host("s2", NIC, ZONE)
                        .host("s3", NIC, ZONE)
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s3")
                        .build();
        ExecutionState state = ExecutionState.of(input);

        assertThatThrownBy(() -> state.started("a"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("zone a needs")
                .hasMessageContaining("start only what the schedule returns");
    }

    @Test
    void rejectsAStateOfAnotherPlan() {
        PlanInput one = plan().hosts("s1", "s2").move("a", "s1", "s2").build();
        PlanInput other = plan().hosts("s1", "s2").move("a", "s1", "s2").build();
        MigrationSchedule schedule = new ParallelSchedule().createSchedule(one);

        assertThatThrownBy(() -> schedule.movesToStart(ExecutionState.of(other)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("execution state belongs to another plan");
    }

    @Test
    void aScheduleCanServeAFreshExecutionOfTheSamePlan() {
        PlanInput swap =
                plan().hosts("s1", "s2").move("a", "s1", "s2").move("b", "s2", "s1").build();
        MigrationSchedule schedule = new SequentialSchedule().createSchedule(swap);
        ExecutionState first = ExecutionState.of(swap);
        first.started("a");
        assertThat(schedule.movesToStart(first)).isEmpty();

        ExecutionState second = ExecutionState.of(swap);
        assertThat(zones(schedule.movesToStart(second))).containsExactly("a");
    }
}
