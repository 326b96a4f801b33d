package io.livezone.dve.bot;

/**
 * Classifies each received state update by tick number and checks the digest chain.
 *
 * <ul>
 *   <li>in sequence: tick = highest + 1; its prevDigest must equal the digest of the highest,
 *       otherwise the zone's history forked or rewound (chain break);
 *   <li>after a gap: tick &gt; highest + 1; the missing ticks are lost and the chain cannot be
 *       checked across the gap (counted as unverifiable, not as a break);
 *   <li>duplicate: a tick already received; if its digest differs it is also a chain break (two
 *       different worlds claim the same tick, e.g. a stale VM copy still running);
 *   <li>out of order: lower than the highest seen and not known as received (late packet or
 *       rewind).
 * </ul>
 *
 * State persists across measurement windows; only the counters derived from it are windowed.
 */
final class UpdateTracker {
    /** Recent ticks remembered to tell a duplicate from a late arrival. */
    static final int HISTORY = 128;

    enum Kind {
        FIRST,
        IN_SEQUENCE,
        AFTER_GAP,
        DUPLICATE,
        OUT_OF_ORDER
    }

    /** Verdict on one update: {@code missing} ticks were skipped before it. */
    record Observation(Kind kind, long missing, boolean chainBreak) {
        boolean isNew() {
            return kind == Kind.FIRST || kind == Kind.IN_SEQUENCE || kind == Kind.AFTER_GAP;
        }
    }

    private static final Observation FIRST = new Observation(Kind.FIRST, 0, false);
    private static final Observation IN_SEQUENCE = new Observation(Kind.IN_SEQUENCE, 0, false);
    private static final Observation BROKEN_SEQUENCE = new Observation(Kind.IN_SEQUENCE, 0, true);
    private static final Observation DUPLICATE = new Observation(Kind.DUPLICATE, 0, false);
    private static final Observation FORKED_DUPLICATE = new Observation(Kind.DUPLICATE, 0, true);
    private static final Observation OUT_OF_ORDER = new Observation(Kind.OUT_OF_ORDER, 0, false);

    private final long[] ticks = new long[HISTORY];
    private final long[] digests = new long[HISTORY];
    private final boolean[] filled = new boolean[HISTORY];
    private boolean started;
    private long highest;
    private long highestDigest;

    Observation observe(long tick, long digest, long prevDigest) {
        if (!started) {
            started = true;
            advanceTo(tick, digest);
            return FIRST;
        }
        long ahead = tick - highest;
        if (ahead == 1) {
            boolean broken = prevDigest != highestDigest;
            advanceTo(tick, digest);
            return broken ? BROKEN_SEQUENCE : IN_SEQUENCE;
        }
        if (ahead > 1) {
            advanceTo(tick, digest);
            return new Observation(Kind.AFTER_GAP, ahead - 1, false);
        }
        int slot = slot(tick);
        if (-ahead < HISTORY && filled[slot] && ticks[slot] == tick) {
            return digests[slot] == digest ? DUPLICATE : FORKED_DUPLICATE;
        }
        if (-ahead < HISTORY) {
            remember(tick, digest); // so a second copy of this late packet counts as a duplicate
        }
        return OUT_OF_ORDER;
    }

    long highestTick() {
        return highest;
    }

    private void advanceTo(long tick, long digest) {
        highest = tick;
        highestDigest = digest;
        remember(tick, digest);
    }

    private void remember(long tick, long digest) {
        int slot = slot(tick);
        ticks[slot] = tick;
        digests[slot] = digest;
        filled[slot] = true;
    }

    private static int slot(long tick) {
        return (int) Math.floorMod(tick, (long) HISTORY);
    }
}
