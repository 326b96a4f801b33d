package io.livezone.gateway;

/**
 * What the clients of one endpoint lived through at one switchover, for any protocol: how long the
 * gateway held their traffic, and for each direction the longest silence of any client flow — from
 * its last packet before the hold to its first packet after the release. A flow that carried no
 * traffic in a direction before the hold, or none within {@link #MEASURE_WINDOW_MS} after the
 * release, is not measured in that direction (an idle client says nothing about the switchover).
 *
 * @param atMillis when the hold began (epoch milliseconds)
 * @param holdMillis how long traffic was held
 * @param site the site the endpoint was released to (the destination's, or the source's again after
 *     an abort)
 * @param heldPackets client packets held (datagrams and stream chunks)
 * @param replayedPackets datagrams sent again after the hold
 * @param droppedPackets datagrams the full hold buffer dropped
 * @param flows client flows (UDP sessions, TCP connections) open when the hold began
 * @param measuredToZone flows measured towards the zone
 * @param measuredToClient flows measured towards the client
 * @param maxSilenceToZoneMs longest silence towards the zone of a measured flow; 0 if none
 * @param maxSilenceToClientMs longest silence towards the client of a measured flow; 0 if none
 */
public record SwitchoverContinuity(
        long atMillis,
        long holdMillis,
        String site,
        long heldPackets,
        long replayedPackets,
        long droppedPackets,
        int flows,
        int measuredToZone,
        int measuredToClient,
        double maxSilenceToZoneMs,
        double maxSilenceToClientMs) {
    /** A flow's first packet after the release counts only this soon after it. */
    public static final long MEASURE_WINDOW_MS = 10_000;
}
