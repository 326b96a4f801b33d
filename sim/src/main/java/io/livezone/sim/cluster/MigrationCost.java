package io.livezone.sim.cluster;

import io.livezone.core.InvalidInputException;

/**
 * How long a live migration of a zone takes in the simulation: pre-copy sends the guest's memory
 * once plus what it dirties meanwhile ({@code dirtyFactor} ≥ 1 times the memory) over the migration
 * link, then the guest pauses for {@code downtimeMs}. The zone keeps running, and counting, on the
 * source until then.
 */
public record MigrationCost(
        double memoryMiB, double bandwidthMbitPerS, double dirtyFactor, long downtimeMs) {
    private static final double MBIT_PER_MIB = 8.388608;

    public MigrationCost {
        if (!(memoryMiB > 0) || !(bandwidthMbitPerS > 0) || !(dirtyFactor >= 1)) {
            throw new InvalidInputException(
                    "migration cost needs memory > 0 MiB, bandwidth > 0 Mbit/s and dirty factor"
                            + " >= 1, got "
                            + memoryMiB
                            + ", "
                            + bandwidthMbitPerS
                            + ", "
                            + dirtyFactor);
        }
        if (downtimeMs < 0) {
            throw new InvalidInputException("downtime must be >= 0 ms, got " + downtimeMs);
        }
    }

    /** A 512 MiB zone over 1 Gbit/s, 30 % re-sent dirty pages, 30 ms downtime: about 5.6 s. */
    public static MigrationCost defaults() {
        return new MigrationCost(512, 1000, 1.3, 30);
    }

    public long durationMs() {
        return Math.round(memoryMiB * MBIT_PER_MIB * dirtyFactor / bandwidthMbitPerS * 1000)
                + downtimeMs;
    }
}
