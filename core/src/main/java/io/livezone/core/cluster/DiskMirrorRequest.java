package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * Asks a source agent to start mirroring a zone's disk to a destination's ticket and to return once
 * the copy is in sync; the mirror keeps up with guest writes until the migration's switchover.
 *
 * @param bytesPerSec copy rate limit, 0 for none
 */
public record DiskMirrorRequest(DiskTicket ticket, LinkSettings link, long bytesPerSec) {
    public DiskMirrorRequest {
        Objects.requireNonNull(ticket, "ticket is missing");
        link = link == null ? LinkSettings.NONE : link;
        if (bytesPerSec < 0) {
            throw new InvalidInputException("mirror rate must not be negative");
        }
    }
}
