package io.livezone.dve.bot;

import org.HdrHistogram.Histogram;

/** Mutable counters of one bot over one measurement window (or its whole life). */
final class MetricsWindow {
    final Histogram rtt = LatencySummary.newHistogram();
    final Histogram updateGaps = LatencySummary.newHistogram();

    /** How late each new update came against the tick schedule (see {@link BotStats}). */
    final Histogram updateLateness = LatencySummary.newHistogram();

    long updatesReceived;
    long lost;
    long duplicated;
    long outOfOrder;
    long chainBreaks;
    long unverifiableGaps;
    long pingsSent;
    long pongsReceived;
    long malformedPackets;
    long controlErrors;
    long sendErrors;
    long highestTick;
    String disconnectReason;

    void record(UpdateTracker.Observation o, long gapNanos, long latenessNanos, long highestTick) {
        updatesReceived++;
        this.highestTick = highestTick;
        if (gapNanos >= 0) {
            LatencySummary.recordNanos(updateGaps, gapNanos);
        }
        if (latenessNanos >= 0) {
            LatencySummary.recordNanos(updateLateness, latenessNanos);
        }
        if (o.chainBreak()) {
            chainBreaks++;
        }
        switch (o.kind()) {
            case AFTER_GAP -> {
                lost += o.missing();
                unverifiableGaps++;
            }
            case DUPLICATE -> duplicated++;
            case OUT_OF_ORDER -> outOfOrder++;
            default -> {}
        }
    }

    MetricsWindow copy() {
        MetricsWindow c = new MetricsWindow();
        c.rtt.add(rtt);
        c.updateGaps.add(updateGaps);
        c.updateLateness.add(updateLateness);
        c.updatesReceived = updatesReceived;
        c.lost = lost;
        c.duplicated = duplicated;
        c.outOfOrder = outOfOrder;
        c.chainBreaks = chainBreaks;
        c.unverifiableGaps = unverifiableGaps;
        c.pingsSent = pingsSent;
        c.pongsReceived = pongsReceived;
        c.malformedPackets = malformedPackets;
        c.controlErrors = controlErrors;
        c.sendErrors = sendErrors;
        c.highestTick = highestTick;
        c.disconnectReason = disconnectReason;
        return c;
    }

    BotStats toStats(int botIndex, String name, int clientId) {
        return new BotStats(
                botIndex,
                name,
                clientId,
                LatencySummary.of(rtt),
                LatencySummary.of(updateGaps),
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
                disconnectReason != null,
                disconnectReason,
                LatencySummary.of(updateLateness));
    }
}
