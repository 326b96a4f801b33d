package io.livezone.gateway;

/**
 * One client's traffic through one zone: a UDP session or a TCP connection. Carries what the stages
 * need per client: its region, and the delay line's ordering state per direction.
 */
abstract class Flow {
    private final ZoneRoute zone;
    private String region;
    private final long[] lastDue = new long[2];
    private final int[] delayed = new int[2];

    Flow(ZoneRoute zone, String region) {
        this.zone = zone;
        this.region = region;
    }

    final ZoneRoute zone() {
        return zone;
    }

    final String region() {
        return region;
    }

    final void region(String newRegion) {
        region = newRegion;
    }

    /** Due time of the last packet put on the delay line in this direction. */
    final long lastDue(Direction d) {
        return lastDue[d.ordinal()];
    }

    /** Packets of this flow on the delay line in this direction. */
    final int delayedPackets(Direction d) {
        return delayed[d.ordinal()];
    }

    final void delayedOne(Direction d, long due) {
        lastDue[d.ordinal()] = due;
        delayed[d.ordinal()]++;
    }

    final void undelayedOne(Direction d) {
        delayed[d.ordinal()]--;
    }

    // Continuity across switchovers (see SwitchoverContinuity), per direction.
    private final long[] lastWritten = new long[2];
    private final long[] silenceFrom = new long[2]; // 0: not measuring
    private ContinuityMeter meter;
    private long measureUntil;

    /**
     * The hold began at {@code now}: the silence of each direction that carried traffic lately
     * starts at its last packet (a flow idle for longer says nothing about the switchover).
     */
    final void holdBegan(long now) {
        long recent = now - SwitchoverContinuity.MEASURE_WINDOW_MS * 1_000_000;
        for (int i = 0; i < 2; i++) {
            silenceFrom[i] = lastWritten[i] != 0 && lastWritten[i] >= recent ? lastWritten[i] : 0;
        }
        meter = null;
    }

    /** The hold ended: the next packet of each direction, if soon enough, ends its silence. */
    final void holdEnded(ContinuityMeter switchover, long now) {
        meter = switchover;
        measureUntil = now + SwitchoverContinuity.MEASURE_WINDOW_MS * 1_000_000;
    }

    /** A packet went out in direction {@code d} at {@code now}. */
    final void written(Direction d, long now) {
        int i = d.ordinal();
        if (silenceFrom[i] != 0) {
            if (meter == null) {
                silenceFrom[i] = now; // still in the hold (a packet off the delay line)
            } else {
                if (now <= measureUntil) {
                    meter.silence(d, now - silenceFrom[i]);
                }
                silenceFrom[i] = 0;
            }
        }
        lastWritten[i] = now;
    }

    /** The client's address as the gateway sees it (the key of its region). */
    abstract java.net.InetSocketAddress clientAddress();

    /** Sends the packet on its way; returns false when it could not be sent (and was dropped). */
    abstract boolean write(Packet packet);

    abstract boolean isClosed();
}
