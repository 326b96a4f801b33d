package io.livezone.gateway;

/**
 * A snapshot of one zone's counters (the same values the metrics endpoint exports).
 *
 * @param udpToZone client datagrams forwarded to the zone
 * @param udpToClient zone datagrams relayed to clients
 * @param tcpBytesToZone stream bytes forwarded to the zone
 * @param tcpBytesToClient stream bytes relayed to clients
 * @param heldUdp client datagrams that were held during a switchover (all of them were forwarded
 *     after it, unless counted in {@code droppedHoldOverflow})
 * @param heldTcpChunks client stream chunks held during a switchover
 * @param droppedMalformed client datagrams dropped as malformed
 * @param unknownZone datagrams dropped and connections refused while the zone had no location
 * @param droppedHoldOverflow client datagrams dropped because the hold buffer was full
 * @param droppedSendFailed datagrams the socket refused
 * @param droppedForeignSource replies from an address that is not the zone's
 * @param droppedFlowClosed packets whose session or connection ended on the way
 * @param heldPacketsMax most packets held at once by any finished hold
 * @param udpSessions current UDP client sessions
 * @param tcpConnections current TCP connections
 * @param replayedUdp client datagrams sent again after holds ({@link
 *     GatewayConfig#switchoverReplay()}); duplicates the zone sees on purpose
 */
public record ZoneTraffic(
        String zone,
        long udpToZone,
        long udpToClient,
        long tcpBytesToZone,
        long tcpBytesToClient,
        long heldUdp,
        long heldTcpChunks,
        long droppedMalformed,
        long unknownZone,
        long droppedHoldOverflow,
        long droppedSendFailed,
        long droppedForeignSource,
        long droppedFlowClosed,
        long heldPacketsMax,
        long udpSessions,
        long tcpConnections,
        long replayedUdp) {}
