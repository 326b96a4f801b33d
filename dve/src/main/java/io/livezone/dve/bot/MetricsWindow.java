package io.livezone.dve.bot;

/** Mutable counters of one bot over one measurement window (or its whole life). */
final class MetricsWindow {
    final LatencyHistogram rtt = new LatencyHistogram();
    final LatencyHistogram updateGaps = new LatencyHistogram();

    /** How late each new update came against the tick schedule (see {@link BotStats}). */
    final LatencyHistogram updateLateness = new LatencyHistogram();

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
            updateGaps.recordNanos(gapNanos);
        }
        if (latenessNanos >= 0) {
            updateLateness.recordNanos(latenessNanos);
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
                rtt.summary(),
                updateGaps.summary(),
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
                updateLateness.summary());
    }
}
