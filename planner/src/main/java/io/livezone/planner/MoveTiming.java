package io.livezone.planner;

/**
 * One simulated migration. Times are seconds from the start of the plan.
 *
 * @param transferStartSeconds when setup and handshakes were over and the first byte moved
 * @param downtimeSeconds the guest was paused for the final copy this long
 * @param throttlePercent the CPU throttle auto-converge reached; above 0 players felt the zone slow
 * @param converged false if pre-copy never converged and the round limit forced the switchover
 */
public record MoveTiming(
        String zone,
        double startSeconds,
        double transferStartSeconds,
        double endSeconds,
        double bytesSent,
        int rounds,
        double downtimeSeconds,
        int throttlePercent,
        boolean converged) {

    public double durationSeconds() {
        return endSeconds - startSeconds;
    }
}
