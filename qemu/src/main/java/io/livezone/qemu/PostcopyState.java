package io.livezone.qemu;

/**
 * Where a VM stands in post-copy, from QEMU's migration status ({@code query-migrate} or the
 * MIGRATION event). One place for the rule "which statuses are past the point of no return".
 *
 * <p>Once a migration reported any {@code postcopy-*} status, the destination has run guest code
 * with memory the source never saw, and the source holds pages the destination has not received:
 * neither copy alone is the zone. From then on the source must never be resumed and the destination
 * never discarded; only completion, or a recovery that leads to it, ends the move.
 */
public enum PostcopyState {
    /** Not in post-copy: no migration, pre-copy, or a migration that ended before post-copy. */
    NONE,
    /** {@code postcopy-active}: pages flow; the destination runs and pulls what it misses. */
    ACTIVE,
    /**
     * {@code postcopy-paused}: the stream broke (or was paused with {@code migrate-pause}). The
     * destination holds the running zone, the source the rest of its memory; recoverable with
     * {@code migrate-recover} on the destination and a resumed {@code migrate} on the source.
     */
    PAUSED,
    /** {@code postcopy-recover-setup} or {@code postcopy-recover}: a recovery is under way. */
    RECOVERING,
    /** The QEMU process ended (its monitor connection closed): it holds nothing any more. */
    GONE;

    /** The state for one of QEMU's migration status strings ({@code null} counts as none). */
    public static PostcopyState of(String migrationStatus) {
        if (migrationStatus == null) {
            return NONE;
        }
        return switch (migrationStatus) {
            case "postcopy-active" -> ACTIVE;
            case "postcopy-paused" -> PAUSED;
            case "postcopy-recover-setup", "postcopy-recover" -> RECOVERING;
            default -> NONE;
        };
    }

    /** True for every state a post-copy migration can be in while it has not completed. */
    public boolean inPostcopy() {
        return this == ACTIVE || this == PAUSED || this == RECOVERING;
    }
}
