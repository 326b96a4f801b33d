package io.livezone.coordinator.plan;

/**
 * One move of a plan and everything measured about it; persisted at each state change so a
 * restarted coordinator knows exactly how far each move got.
 *
 * @param percent pre-copy progress while migrating (0..100)
 */
public record MoveRecord(
        String zone,
        String source,
        String destination,
        MoveState state,
        long startedMillis,
        long finishedMillis,
        double percent,
        long transferredBytes,
        long downtimeMillis,
        long totalMillis,
        String error) {

    public enum MoveState {
        PENDING,
        /** The destination prepares a VM to receive the zone. */
        PREPARING,
        /** The source sends the zone; until it completes, it can still take the zone back. */
        MIGRATING,
        /**
         * Post-copy began: the destination runs the zone and pulls its missing pages from the
         * stopped source. The point of no return: the source is never resumed, the destination
         * never discarded.
         */
        POSTCOPY,
        /**
         * The source completed and stopped for good; the commit (continue the arrived destination
         * and confirm it runs) is decided and under way.
         */
        COMMITTING,
        DONE,
        FAILED,
        CANCELLED;

        public boolean finished() {
            return this == DONE || this == FAILED || this == CANCELLED;
        }

        public boolean inFlight() {
            return this == PREPARING || this == MIGRATING || this == POSTCOPY || this == COMMITTING;
        }
    }

    public static MoveRecord pending(String zone, String source, String destination) {
        return new MoveRecord(
                zone, source, destination, MoveState.PENDING, 0, 0, 0, 0, -1, -1, null);
    }

    public MoveRecord in(MoveState s) {
        long started =
                startedMillis == 0 && s.inFlight() ? System.currentTimeMillis() : startedMillis;
        long finished = s.finished() ? System.currentTimeMillis() : finishedMillis;
        return new MoveRecord(
                zone,
                source,
                destination,
                s,
                started,
                finished,
                s == MoveState.DONE ? 100 : percent,
                transferredBytes,
                downtimeMillis,
                totalMillis,
                error);
    }

    public MoveRecord failed(MoveState s, String why) {
        MoveRecord r = in(s);
        return new MoveRecord(
                zone,
                source,
                destination,
                s,
                r.startedMillis,
                r.finishedMillis,
                percent,
                transferredBytes,
                downtimeMillis,
                totalMillis,
                why);
    }

    public MoveRecord progress(double pct, long transferred) {
        return new MoveRecord(
                zone,
                source,
                destination,
                state,
                startedMillis,
                finishedMillis,
                pct,
                transferred,
                downtimeMillis,
                totalMillis,
                error);
    }

    public MoveRecord measured(long transferred, long downtime, long total) {
        return new MoveRecord(
                zone,
                source,
                destination,
                state,
                startedMillis,
                finishedMillis,
                percent,
                transferred,
                downtime,
                total,
                error);
    }
}
