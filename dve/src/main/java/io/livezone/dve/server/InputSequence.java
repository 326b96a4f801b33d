package io.livezone.dve.server;

/**
 * Which of one client's input sequence numbers reached the server. Clients number their datagrams
 * 1, 2, 3, ... (the bots do), so a number skipped is a datagram that has not arrived: it counts as
 * missing until it turns up late (then it counts as late instead) or forever. A number seen twice
 * is a duplicate, e.g. a gateway replaying the last moments before a switchover.
 *
 * <p>Arrivals are remembered for the last {@link #WINDOW} numbers below the highest; a datagram
 * older than that can no longer be told from a duplicate and is counted as {@code tooOld} (its gap,
 * if it left one, stays missing). Sequence numbers may wrap: comparisons are wrap-safe. Not
 * thread-safe; the owning session synchronizes.
 */
final class InputSequence {
    static final int WINDOW = 4096;

    private final long[] seen = new long[WINDOW / 64];
    private boolean started;
    private int highest;
    private long received;
    private long missing;
    private long late;
    private long duplicates;
    private long tooOld;

    void record(int seq) {
        received++;
        if (!started) {
            started = true;
            highest = seq;
            mark(seq);
            return;
        }
        int ahead = seq - highest;
        if (ahead > 0) {
            missing += ahead - 1;
            // The numbers skipped over reuse slots of numbers a window older: clear them.
            int clear = Math.min(ahead, WINDOW);
            for (int i = 1; i <= clear; i++) {
                unmark(highest + i);
            }
            highest = seq;
            mark(seq);
        } else if (-ahead >= WINDOW) {
            tooOld++;
        } else if (isMarked(seq)) {
            duplicates++;
        } else {
            mark(seq);
            missing--;
            late++;
        }
    }

    /** Datagrams received, duplicates included. */
    long received() {
        return received;
    }

    /** Numbers skipped and not (yet) received. */
    long missing() {
        return missing;
    }

    /** Datagrams that arrived after a higher number (filling a gap). */
    long late() {
        return late;
    }

    long duplicates() {
        return duplicates;
    }

    long tooOld() {
        return tooOld;
    }

    private void mark(int seq) {
        int slot = Math.floorMod(seq, WINDOW);
        seen[slot >>> 6] |= 1L << (slot & 63);
    }

    private void unmark(int seq) {
        int slot = Math.floorMod(seq, WINDOW);
        seen[slot >>> 6] &= ~(1L << (slot & 63));
    }

    private boolean isMarked(int seq) {
        int slot = Math.floorMod(seq, WINDOW);
        return (seen[slot >>> 6] & (1L << (slot & 63))) != 0;
    }
}
