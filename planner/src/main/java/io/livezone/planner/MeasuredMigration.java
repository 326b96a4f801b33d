package io.livezone.planner;

import io.livezone.core.InvalidInputException;

/**
 * One real migration's figures, for calibrating {@link MigrationTimeModel}: e.g. from {@code bin/
 * livezone bench single}'s JSON (total ms, MB sent) and the bandwidth the link was set to.
 *
 * @param nominalBytesPerSec the bandwidth the migration was given (NIC or QEMU max-bandwidth)
 * @param bytesSent bytes QEMU reported transferred, resent pages included
 * @param totalSeconds start of the migration to the zone running on the destination
 * @param rttSeconds round-trip time between source and destination
 */
public record MeasuredMigration(
        double nominalBytesPerSec, double bytesSent, double totalSeconds, double rttSeconds) {
    public MeasuredMigration {
        if (!(nominalBytesPerSec > 0) || Double.isInfinite(nominalBytesPerSec)) {
            throw new InvalidInputException(
                    "measured migration: nominal bandwidth must be > 0 bytes/s, got "
                            + nominalBytesPerSec);
        }
        if (!(bytesSent > 0) || Double.isInfinite(bytesSent)) {
            throw new InvalidInputException(
                    "measured migration: bytes sent must be > 0, got " + bytesSent);
        }
        if (!(totalSeconds > 0) || Double.isInfinite(totalSeconds)) {
            throw new InvalidInputException(
                    "measured migration: total time must be > 0 s, got " + totalSeconds);
        }
        if (!(rttSeconds >= 0) || Double.isInfinite(rttSeconds)) {
            throw new InvalidInputException(
                    "measured migration: RTT must be >= 0 s, got " + rttSeconds);
        }
    }
}
