package io.livezone.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * A receiver's single migration slot, taken when it accepts a proposal. Until the sender commits
 * the slot expires after {@link LoadBalancerConfig#reservationTimeout()}; once committed it is held
 * until the migration ends.
 */
public record IncomingReservation(
        String senderId, String zoneId, Instant acceptedAt, boolean committed) {
    public IncomingReservation {
        Ids.require(senderId, "sender id");
        Ids.require(zoneId, "zone id");
        Objects.requireNonNull(acceptedAt, "acceptedAt is null");
    }
}
