package io.livezone.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * The periodic load broadcast of one host's conductor (§IV information policy), as last received by
 * the others. {@code acceptsZones} is false while the host drains before leaving, or while its one
 * migration slot is taken, so senders do not pick a receiver that would refuse.
 */
public record HostLoadReport(
        String hostId, double loadPct, Instant reportedAt, boolean acceptsZones) {
    public HostLoadReport {
        Ids.require(hostId, "host id");
        Percent.requireLoad(loadPct, "host " + hostId + ": load");
        Objects.requireNonNull(reportedAt, "reportedAt is null");
    }
}
