package io.livezone.agent.health;

import io.livezone.core.ZoneFailure;
import io.livezone.core.ZoneState;
import io.livezone.qemu.VmCheck;

import java.util.Set;

/** Judges a zone's VM from one look and the looks before it; pure. */
public final class Liveness {
    /** Run states in which the guest will never run again without a restart. */
    private static final Set<String> DEAD_RUN_STATES =
            Set.of("guest-panicked", "internal-error", "shutdown");

    /** Migration states in which QEMU itself is migrating the VM out. */
    private static final Set<String> MIGRATING =
            Set.of(
                    "setup",
                    "active",
                    "pre-switchover",
                    "device",
                    "wait-unplug",
                    "cancelling",
                    "postcopy-active");

    private Liveness() {}

    /**
     * @param state what the zone is now; null when this look cannot tell (the monitor did not
     *     answer, not yet often enough to call it hung): keep what was known
     * @param deathReason why the zone is dead, when {@code state} is DEAD
     * @param misses consecutive looks whose monitor did not answer, this one included
     */
    public record Verdict(ZoneState state, String qemuStatus, String deathReason, int misses) {
        public boolean dead() {
            return state == ZoneState.DEAD;
        }
    }

    /**
     * The verdict on one look at a zone with an active VM ({@link VmCheck.Presence#ALIVE} or {@link
     * VmCheck.Presence#DEAD}).
     *
     * @param misses the consecutive unanswered looks before this one
     * @param maxMisses unanswered looks in a row that make a running process "hung"
     */
    public static Verdict judge(VmCheck check, int misses, int maxMisses) {
        return switch (check.presence()) {
            case GONE, NOT_ACTIVE, BUSY ->
                    throw new IllegalArgumentException(
                            "zone "
                                    + check.zone()
                                    + " has no active VM to judge ("
                                    + check.presence()
                                    + ")");
            case DEAD ->
                    new Verdict(
                            ZoneState.DEAD,
                            "dead",
                            "its QEMU process ended: "
                                    + check.exitStatus()
                                            .map(ZoneFailure::describeExit)
                                            .orElse(
                                                    "exit status unknown (it ended while no"
                                                            + " agent was its parent)"),
                            0);
            case ALIVE -> alive(check, misses, maxMisses);
        };
    }

    private static Verdict alive(VmCheck check, int misses, int maxMisses) {
        if (!check.monitorAnswered()) {
            int now = misses + 1;
            if (now >= maxMisses) {
                return new Verdict(
                        ZoneState.DEAD,
                        "hung",
                        "its QEMU process runs but its monitor did not answer "
                                + now
                                + " looks in a row (hung): "
                                + check.monitorProblem(),
                        now);
            }
            return new Verdict(null, null, null, now);
        }
        String run = check.runState();
        if (DEAD_RUN_STATES.contains(run)) {
            return new Verdict(ZoneState.DEAD, run, deadRunState(run), 0);
        }
        if (MIGRATING.contains(check.migrationStatus())) {
            return new Verdict(ZoneState.MIGRATING, run, null, 0);
        }
        return new Verdict(
                run.equals("running") ? ZoneState.RUNNING : ZoneState.PAUSED, run, null, 0);
    }

    private static String deadRunState(String run) {
        return switch (run) {
            case "guest-panicked" -> "the guest kernel panicked (QEMU run state guest-panicked)";
            case "internal-error" ->
                    "QEMU stopped the guest on an internal error (run state internal-error)";
            default -> "the guest shut down (QEMU run state " + run + ")";
        };
    }
}
