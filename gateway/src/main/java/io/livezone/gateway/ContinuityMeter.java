package io.livezone.gateway;

/** Collects one switchover's {@link SwitchoverContinuity} as flows report in. Event loop only. */
final class ContinuityMeter {
    private final long atMillis;
    private final HoldHandle hold; // read at each snapshot: the release replays after this is made
    private final String site;
    private final int flows;
    private final int[] measured = new int[2];
    private final long[] maxSilence = new long[2];

    ContinuityMeter(HoldHandle hold, long atMillis, String site, int flows) {
        this.atMillis = atMillis;
        this.hold = hold;
        this.site = site;
        this.flows = flows;
    }

    void silence(Direction d, long nanos) {
        measured[d.ordinal()]++;
        maxSilence[d.ordinal()] = Math.max(maxSilence[d.ordinal()], nanos);
    }

    SwitchoverContinuity snapshot() {
        return new SwitchoverContinuity(
                atMillis,
                hold.duration().toMillis(),
                site,
                hold.totalHeldPackets(),
                hold.replayedPackets(),
                hold.droppedPackets(),
                flows,
                measured[Direction.TO_ZONE.ordinal()],
                measured[Direction.TO_CLIENT.ordinal()],
                maxSilence[Direction.TO_ZONE.ordinal()] / 1e6,
                maxSilence[Direction.TO_CLIENT.ordinal()] / 1e6);
    }
}
