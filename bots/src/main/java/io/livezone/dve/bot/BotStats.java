package io.livezone.dve.bot;

/**
 * One bot's measurements over a window. {@code lost} counts ticks missing when a later update
 * arrived; {@code unverifiableGaps} counts those gaps, across which the digest chain could not be
 * checked. {@code disconnected} means the bot lost its session within the window. {@code
 * updateLateness} is each new update's lateness against the tick schedule: how much later than
 * {@code (its tick - the previous update's tick) x tick period} after the previous update it
 * arrived (0 when on time or early). A zone that pauses for 80 ms makes one update 80 ms late, not
 * every later one: the schedule follows the zone.
 */
public record BotStats(
        int botIndex,
        String name,
        int clientId,
        LatencySummary rtt,
        LatencySummary updateGap,
        long updatesReceived,
        long lost,
        long duplicated,
        long outOfOrder,
        long chainBreaks,
        long unverifiableGaps,
        long pingsSent,
        long pongsReceived,
        long malformedPackets,
        long controlErrors,
        long sendErrors,
        long highestTick,
        boolean disconnected,
        String disconnectReason,
        LatencySummary updateLateness) {

    public BotStats {
        updateLateness = updateLateness == null ? LatencySummary.EMPTY : updateLateness;
    }

    /** Without lateness figures (stats recorded before they existed). */
    public BotStats(
            int botIndex,
            String name,
            int clientId,
            LatencySummary rtt,
            LatencySummary updateGap,
            long updatesReceived,
            long lost,
            long duplicated,
            long outOfOrder,
            long chainBreaks,
            long unverifiableGaps,
            long pingsSent,
            long pongsReceived,
            long malformedPackets,
            long controlErrors,
            long sendErrors,
            long highestTick,
            boolean disconnected,
            String disconnectReason) {
        this(
                botIndex,
                name,
                clientId,
                rtt,
                updateGap,
                updatesReceived,
                lost,
                duplicated,
                outOfOrder,
                chainBreaks,
                unverifiableGaps,
                pingsSent,
                pongsReceived,
                malformedPackets,
                controlErrors,
                sendErrors,
                highestTick,
                disconnected,
                disconnectReason,
                LatencySummary.EMPTY);
    }
}
