package io.livezone.dve.bot;

import java.util.List;

/**
 * Swarm-wide figures over a window. Percentiles are computed over all bots' samples merged, not
 * averaged per bot. {@code tickContinuityOk} means no duplicate, no out-of-order/rewound update and
 * no digest-chain break; lost updates are reported separately and do not affect it. {@code
 * updateLateness} merges every bot's lateness samples (see {@link BotStats}). {@code highestTick}
 * is the newest tick any bot has seen: how far game time has advanced, to compare with the wall
 * clock (the zone's tick loop drops ticks after a long stall, so a stalled guest falls behind).
 */
public record AggregateStats(
        int bots,
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
        int disconnected,
        boolean tickContinuityOk,
        LatencySummary updateLateness,
        long highestTick) {

    public AggregateStats {
        updateLateness = updateLateness == null ? LatencySummary.EMPTY : updateLateness;
    }

    static AggregateStats of(List<BotStats> bots, LatencySummary rtt, LatencySummary updateGap) {
        return of(bots, rtt, updateGap, LatencySummary.EMPTY);
    }

    static AggregateStats of(
            List<BotStats> bots,
            LatencySummary rtt,
            LatencySummary updateGap,
            LatencySummary updateLateness) {
        long updates = 0;
        long lost = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        long chainBreaks = 0;
        long unverifiable = 0;
        long pings = 0;
        long pongs = 0;
        long malformed = 0;
        int disconnected = 0;
        long highestTick = 0;
        for (BotStats b : bots) {
            highestTick = Math.max(highestTick, b.highestTick());
            updates += b.updatesReceived();
            lost += b.lost();
            duplicated += b.duplicated();
            outOfOrder += b.outOfOrder();
            chainBreaks += b.chainBreaks();
            unverifiable += b.unverifiableGaps();
            pings += b.pingsSent();
            pongs += b.pongsReceived();
            malformed += b.malformedPackets();
            disconnected += b.disconnected() ? 1 : 0;
        }
        boolean continuityOk = duplicated == 0 && outOfOrder == 0 && chainBreaks == 0;
        return new AggregateStats(
                bots.size(),
                rtt,
                updateGap,
                updates,
                lost,
                duplicated,
                outOfOrder,
                chainBreaks,
                unverifiable,
                pings,
                pongs,
                malformed,
                disconnected,
                continuityOk,
                updateLateness,
                highestTick);
    }
}
