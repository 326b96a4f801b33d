package io.livezone.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a host knows when a proposal reaches it: its current load, fresher than the report the
 * sender decided on, and its single migration slot.
 */
public record ReceiverView(
        String hostId,
        Instant now,
        double loadPct,
        Optional<IncomingReservation> reservation,
        boolean draining) {
    public ReceiverView {
        Ids.require(hostId, "host id");
        Objects.requireNonNull(now, "now is null");
        Percent.requireLoad(loadPct, "host " + hostId + ": load");
        Objects.requireNonNull(reservation, "reservation is null");
    }
}
