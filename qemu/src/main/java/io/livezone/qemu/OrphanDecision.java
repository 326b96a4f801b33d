package io.livezone.qemu;

import io.livezone.core.ZoneState;

import java.util.Set;

/**
 * What a starting agent does with a zone's VM that the previous agent process left behind, from
 * what QEMU says (run state and migration status) — a pure function, so every case is tested
 * without a VM.
 *
 * <p>The rule that keeps a zone from running twice: a paused source is resumed only when its
 * migration did not complete (then no destination can have the zone's final state); a completed
 * migration leaves it paused for the coordinator, and a post-copy migration is never touched (the
 * destination already runs with the newest memory and pulls the rest from this source).
 */
public final class OrphanDecision {
    /** Which of a zone's instances the VM is. */
    public enum Role {
        /** The instance that holds the zone here (maybe the source of a migration). */
        ACTIVE,
        /** An instance that was waiting for the zone to arrive from another host. */
        INCOMING
    }

    public enum Action {
        /** The VM runs here: make sure its tap is up. */
        ENSURE_TAP_UP,
        /**
         * An outgoing pre-copy migration nobody drives any more: {@code migrate_cancel}, look
         * again.
         */
        CANCEL_MIGRATION,
        /** Paused by a migration that did not complete: tap up and {@code cont}. */
        RESUME,
        /** Leave it as it is and report it; the coordinator decides. */
        LEAVE
    }

    /**
     * @param report the state to report for the zone once the action is done
     * @param note what to tell the coordinator and operator; null when there is nothing to say
     */
    public record Decision(Action action, ZoneState report, String note) {}

    /** Migration states in which a pre-copy migration is still in progress at the source. */
    static final Set<String> PRE_COPY_IN_FLIGHT =
            Set.of("setup", "active", "pre-switchover", "device", "wait-unplug", "cancelling");

    /** Run states of a destination whose incoming stream completed while it was never run. */
    private static final Set<String> ARRIVED_RUN_STATES = Set.of("paused", "prelaunch");

    private static final Set<String> DEAD_RUN_STATES =
            Set.of("shutdown", "guest-panicked", "internal-error");

    private OrphanDecision() {}

    public static Decision decide(Role role, String runState, String migrationStatus) {
        String m = migrationStatus == null ? "none" : migrationStatus;
        return role == Role.INCOMING ? incoming(runState, m) : active(runState, m);
    }

    private static Decision active(String runState, String m) {
        boolean running = "running".equals(runState);
        if (PRE_COPY_IN_FLIGHT.contains(m)) {
            return new Decision(
                    Action.CANCEL_MIGRATION,
                    ZoneState.MIGRATING,
                    "outgoing migration (" + m + ") orphaned by the agent restart");
        }
        if (m.startsWith("postcopy")) {
            return new Decision(
                    Action.LEAVE,
                    m.equals("postcopy-active") ? ZoneState.MIGRATING : ZoneState.PAUSED,
                    "post-copy migration ("
                            + m
                            + ") orphaned by the agent restart: the destination holds the newest"
                            + " memory, so this source is left alone for the coordinator");
        }
        if (DEAD_RUN_STATES.contains(runState)) {
            return new Decision(Action.LEAVE, ZoneState.DEAD, null);
        }
        if (m.equals("completed") && "paused".equals(runState)) {
            // A source stops in "postmigrate"; "paused" after a completed stream is an arrival
            // its agent marked to run and died before continuing.
            return new Decision(
                    Action.LEAVE,
                    ZoneState.PAUSED,
                    "arrived whole and was marked to run, but is paused: the previous agent died"
                            + " before continuing it; the coordinator commits it");
        }
        if (m.equals("completed")) {
            return running
                    ? new Decision(
                            Action.LEAVE,
                            ZoneState.RUNNING,
                            "runs, and its migration completed: it arrived here (a post-copy"
                                    + " that completed while no agent watched), or it was sent"
                                    + " away and continued since; the coordinator decides")
                    : new Decision(
                            Action.LEAVE,
                            ZoneState.PAUSED,
                            "outgoing migration completed before the agent restarted: the"
                                    + " destination may run the zone, so it stays paused here"
                                    + " (tap down) until the coordinator decides");
        }
        // none, failed, cancelled: no migration can have delivered the zone anywhere else.
        if (running) {
            return new Decision(
                    Action.ENSURE_TAP_UP,
                    ZoneState.RUNNING,
                    m.equals("none")
                            ? null
                            : "outgoing migration " + m + " while no agent watched; runs here");
        }
        if (m.equals("none")) {
            return new Decision(
                    Action.LEAVE,
                    ZoneState.PAUSED,
                    "paused (run state " + runState + ") without a migration: left as it is");
        }
        if ("paused".equals(runState) || "finish-migrate".equals(runState)) {
            return new Decision(
                    Action.RESUME,
                    ZoneState.RUNNING,
                    "outgoing migration " + m + " left it paused; resumed here");
        }
        return new Decision(
                Action.LEAVE,
                ZoneState.PAUSED,
                "run state "
                        + runState
                        + " after a migration that ended "
                        + m
                        + ": left as it is for the coordinator");
    }

    private static Decision incoming(String runState, String m) {
        if (m.startsWith("postcopy")) {
            return new Decision(
                    Action.LEAVE,
                    ZoneState.MIGRATING,
                    "post-copy arrival ("
                            + m
                            + ") orphaned by the agent restart: it runs without all of its"
                            + " memory; the coordinator recovers it");
        }
        if ("inmigrate".equals(runState)) {
            return new Decision(
                    Action.LEAVE,
                    ZoneState.INCOMING,
                    "orphaned arrival: it waits for a migration stream that ended with the"
                            + " previous agent; the coordinator decides");
        }
        if ("running".equals(runState)) {
            return new Decision(
                    Action.LEAVE,
                    ZoneState.RUNNING,
                    "arrived and runs, but the arrival was never committed (the agent"
                            + " restarted); the coordinator decides");
        }
        if (DEAD_RUN_STATES.contains(runState)) {
            return new Decision(Action.LEAVE, ZoneState.DEAD, "arriving VM is " + runState);
        }
        if (m.equals("completed") && ARRIVED_RUN_STATES.contains(runState)) {
            // Destinations are started with -S and continued only by their commit, which
            // records them as running first: this one holds the whole zone and never ran.
            return new Decision(
                    Action.LEAVE,
                    ZoneState.INCOMING,
                    "arrived whole and paused, never committed (the agent restarted); the"
                            + " coordinator commits or discards it");
        }
        return new Decision(
                Action.LEAVE,
                ZoneState.PAUSED,
                "arrived but is paused (run state "
                        + runState
                        + ") and was never committed; the coordinator decides");
    }
}
