package io.livezone.planner;

/** Where one move of a plan is in its execution. DONE and FAILED are final. */
public enum MoveStatus {
    PENDING,
    RUNNING,
    DONE,
    /** Cancelled before it started, or aborted while running: the zone stays on its source. */
    FAILED
}
