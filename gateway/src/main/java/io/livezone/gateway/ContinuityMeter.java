package io.livezone.gateway;

/** Collects one switchover's {@link SwitchoverContinuity} as flows report in. Event loop only. */
final class ContinuityMeter {
    private final long atMillis;
    private final long holdNanos;
    private final String site;
    private final long held;
    private final long replayed;
    private final long dropped;
    private final int flows;
    private final int[] measured = new int[2];
    private final long[] maxSilence = new long[2];

    ContinuityMeter(HoldHandle hold, long atMillis, String site, int flows) {
        this.atMillis = atMillis;
        this.holdNanos = hold.duration().toNanos();
        this.site = site;
        this.held = hold.totalHeldPackets();
        this.replayed = hold.replayedPackets();
        this.dropped = hold.droppedPackets();
        this.flows = flows;
    }

    void silence(Direction d, long nanos) {
        measured[d.ordinal()]++;
        maxSilence[d.ordinal()] = Math.max(maxSilence[d.ordinal()], nanos);
    }

    SwitchoverContinuity snapshot() {
        return new SwitchoverContinuity(
                atMillis,
                holdNanos / 1_000_000,
                site,
                held,
                replayed,
                dropped,
                flows,
                measured[Direction.TO_ZONE.ordinal()],
                measured[Direction.TO_CLIENT.ordinal()],
                maxSilence[Direction.TO_ZONE.ordinal()] / 1e6,
                maxSilence[Direction.TO_CLIENT.ordinal()] / 1e6);
    }
}
