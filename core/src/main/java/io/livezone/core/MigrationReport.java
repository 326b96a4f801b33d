package io.livezone.core;

/**
 * Measurements of one completed migration.
 *
 * @param totalMillis QEMU's total time (migrate command to completion on the source)
 * @param wallMillis measured from outside: migrate command until the destination runs
 * @param downtimeMillis downtime as QEMU reports it
 * @param pauseToResumeMillis measured from outside: source STOP event to destination RESUME event
 * @param switchoverHookMillis time spent in the pause-before-switchover hook (part of the pause)
 * @param sourceStoppedAtMicros when the source's vCPUs stopped for the switchover (QMP STOP event,
 *     epoch microseconds; 0 if unknown): with the destination's RESUME, the pause players feel
 */
public record MigrationReport(
        String zone,
        String fromInstance,
        String toInstance,
        long setupMillis,
        long totalMillis,
        long wallMillis,
        long downtimeMillis,
        long pauseToResumeMillis,
        long switchoverHookMillis,
        long transferredBytes,
        long dirtySyncCount,
        double throughputMbps,
        boolean postcopyUsed,
        long sourceStoppedAtMicros) {}
