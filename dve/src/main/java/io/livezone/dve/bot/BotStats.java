package io.livezone.dve.bot;

/**
 * One bot's measurements over a window. {@code lost} counts ticks missing when a later update
 * arrived; {@code unverifiableGaps} counts those gaps, across which the digest chain could not be
 * checked. {@code disconnected} means the bot lost its session within the window.
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
        String disconnectReason) {}
