package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * One live migration of a plan: zone {@code zone} from host {@code source} to host {@code
 * destination}.
 *
 * @param memoryBytes the zone VM's memory; it is reserved on the destination for the whole
 *     migration and freed on the source only when the migration completes
 * @param diskBytes disk copied before memory (block migration); 0 when the disk is shared
 * @param dirtyBytesPerSec how fast the running zone rewrites memory, which pre-copy must resend
 */
public record Move(
        String zone,
        String source,
        String destination,
        long memoryBytes,
        long diskBytes,
        long dirtyBytesPerSec) {
    public Move {
        Objects.requireNonNull(zone, "zone is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(destination, "destination is null");
        if (zone.isBlank()) {
            throw new InvalidInputException("move with a blank zone name");
        }
        if (source.equals(destination)) {
            throw new InvalidInputException(
                    "zone " + zone + " cannot move from " + source + " to itself; drop the move");
        }
        if (memoryBytes <= 0) {
            throw new InvalidInputException(
                    "zone " + zone + ": memory must be > 0 bytes, got " + memoryBytes);
        }
        if (diskBytes < 0) {
            throw new InvalidInputException(
                    "zone "
                            + zone
                            + ": disk bytes must be >= 0 (0 = shared disk), got "
                            + diskBytes);
        }
        if (dirtyBytesPerSec < 0) {
            throw new InvalidInputException(
                    "zone " + zone + ": dirty rate must be >= 0 bytes/s, got " + dirtyBytesPerSec);
        }
    }

    @Override
    public String toString() {
        return zone + " " + source + "→" + destination;
    }
}
