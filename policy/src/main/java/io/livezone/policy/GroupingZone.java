package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * A zone to migrate, described by the content of its image. Its size, for the greedy order and for
 * {@link GroupingDecision#bytesWithoutDedup()}, is what it puts on the wire alone: its distinct
 * non-zero blocks × block size.
 */
public record GroupingZone(String id, BlockFingerprints fingerprints) {
    public GroupingZone {
        Objects.requireNonNull(id, "zone id is null");
        Objects.requireNonNull(fingerprints, "fingerprints of zone " + id + " are null");
        if (id.isBlank()) {
            throw new InvalidInputException("zone id is blank");
        }
    }

    public long sizeBytes() {
        return (long) fingerprints.distinctBlocks() * fingerprints.blockSize();
    }
}
