package io.livezone.planner;

import java.util.List;

/**
 * One plan's schedule, created by a {@link MigrationSchedulePolicy} and asked repeatedly while the
 * plan executes.
 *
 * <p>Protocol: create an {@link ExecutionState} for the same {@link PlanInput}; call {@link
 * #movesToStart} and start every move it returns (recording each with {@link
 * ExecutionState#started}); call it again whenever the state changed (a move finished or failed).
 * It is a function of the state: moves it returned but the executor did not start are returned
 * again next time. An empty answer with nothing running and moves pending means the plan is stuck,
 * see {@link ExecutionState#stallReason()}.
 */
public interface MigrationSchedule {
    /** The moves to start now, given what is pending, running, done and failed in {@code state}. */
    List<Move> movesToStart(ExecutionState state);
}
