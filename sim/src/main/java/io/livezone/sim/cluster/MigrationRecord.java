package io.livezone.sim.cluster;

/** One completed migration in a simulated cluster, for the event log. */
public record MigrationRecord(
        long startMs,
        long endMs,
        String zoneId,
        String fromHost,
        String toHost,
        double zoneCpuPct) {}
