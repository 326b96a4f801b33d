package io.livezone.coordinator.plan;

import java.util.List;

/**
 * Decides, while a plan runs, which pending moves start now; called again whenever a move changes
 * state. Implementations adapt the planner's schedule policies to live execution.
 */
@FunctionalInterface
public interface MoveDispatcher {
    /** Indexes into {@code moves} of PENDING moves to start now. */
    List<Integer> startNow(List<MoveRecord> moves);
}
