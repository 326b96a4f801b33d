package io.livezone.planner;

/**
 * What {@link MigrationTimeModel} predicts for one migration at a constant bandwidth.
 *
 * @param totalSeconds from the start of the migration to the zone running on its destination
 * @param setupSeconds before the first byte moves: destination start-up and handshakes
 * @param downtimeSeconds the guest is paused for the final copy
 * @param rounds pre-copy memory rounds (the first full copy included)
 * @param bytesSent disk, memory and every resent dirty page
 * @param throttlePercent the CPU throttle auto-converge reached (0 = never throttled)
 * @param converged false if the migration only ended because the round limit forced it
 */
public record MigrationEstimate(
        double totalSeconds,
        double setupSeconds,
        double downtimeSeconds,
        int rounds,
        double bytesSent,
        int throttlePercent,
        boolean converged) {}
