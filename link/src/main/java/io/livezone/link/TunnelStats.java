package io.livezone.link;

/**
 * A snapshot of a tunnel's counters. Bytes count when written to the far side; "outbound" flows
 * from the accepting end to the target, "inbound" back.
 *
 * @param connectionsAccepted connections accepted since the tunnel opened
 * @param connectionsOpen connections currently carrying bytes (or connecting)
 * @param connectionsFailed accepted connections dropped because the target could not be reached
 * @param bytesOutbound bytes delivered to the target side
 * @param bytesInbound bytes delivered back to the accepting side
 * @param bytesBuffered bytes read but not yet written, over all open connections (delay line
 *     contents included)
 */
public record TunnelStats(
        long connectionsAccepted,
        long connectionsOpen,
        long connectionsFailed,
        long bytesOutbound,
        long bytesInbound,
        long bytesBuffered) {}
