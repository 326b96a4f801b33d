package io.livezone.qemu;

import io.livezone.core.LiveZoneException;

/**
 * A migration that had entered post-copy did not complete. Never a "failed, source resumed": past
 * the point of no return (see {@link PostcopyState}) nothing resumes the source or discards the
 * destination, so whoever catches this must not either. {@link #outcome()} says what is left.
 */
public final class PostcopyInterruptedException extends LiveZoneException {
    /** What an interrupted post-copy left behind. */
    public enum Outcome {
        /**
         * QEMU paused the post-copy ({@code postcopy-paused}): the destination holds the running
         * zone, the source holds the rest of its memory. Recoverable: {@link
         * IncomingMigration#recover} on the destination, then {@link LiveMigration#resumePostcopy}
         * on the source.
         */
        PAUSED,
        /**
         * One half is gone (its QEMU ended) or QEMU failed the post-copy: no recovery can bring the
         * zone back whole. The zone is at risk; an operator decides.
         */
        ZONE_AT_RISK,
        /**
         * The caller stopped watching (interrupted) while QEMU went on with the post-copy; ask the
         * VMs' {@link PostcopyState} to know where it stands.
         */
        UNWATCHED
    }

    private final String zone;
    private final Outcome outcome;
    private final String migrationStatus;

    private PostcopyInterruptedException(
            String zone, Outcome outcome, String migrationStatus, String message, Throwable cause) {
        super(message, cause);
        this.zone = zone;
        this.outcome = outcome;
        this.migrationStatus = migrationStatus;
    }

    /** QEMU paused the post-copy; {@code why} is QEMU's error, or what paused it. */
    public static PostcopyInterruptedException paused(String zone, String why) {
        return new PostcopyInterruptedException(
                zone,
                Outcome.PAUSED,
                "postcopy-paused",
                "post-copy of zone '"
                        + zone
                        + "' paused ("
                        + why
                        + "): the destination holds the running zone, the source holds the rest"
                        + " of its memory; recoverable (migrate-recover on the destination, then"
                        + " resume from the source). Nothing was resumed or discarded.",
                null);
    }

    /** Post-copy cannot be recovered: {@code why} names the half that is gone, or QEMU's error. */
    public static PostcopyInterruptedException zoneAtRisk(
            String zone, String migrationStatus, String why, Throwable cause) {
        return new PostcopyInterruptedException(
                zone,
                Outcome.ZONE_AT_RISK,
                migrationStatus,
                "post-copy of zone '"
                        + zone
                        + "' cannot complete: "
                        + why
                        + ". The zone is at risk: the source was NOT resumed (its memory is older"
                        + " than what the destination ran) and nothing was discarded; an operator"
                        + " decides.",
                cause);
    }

    /** The watcher stopped while QEMU went on with the post-copy. */
    public static PostcopyInterruptedException unwatched(
            String zone, String migrationStatus, String why, Throwable cause) {
        return new PostcopyInterruptedException(
                zone,
                Outcome.UNWATCHED,
                migrationStatus,
                "post-copy of zone '"
                        + zone
                        + "' is no longer watched ("
                        + why
                        + "; QEMU last said "
                        + migrationStatus
                        + "): it may still complete. Nothing was resumed or discarded; ask both"
                        + " VMs where the post-copy stands.",
                cause);
    }

    public String zone() {
        return zone;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** True when a recovery (new stream, resumed migration) can still complete the move. */
    public boolean recoverable() {
        return outcome == Outcome.PAUSED;
    }

    /** The source's (or, from {@link IncomingMigration}, the destination's) last status. */
    public String migrationStatus() {
        return migrationStatus;
    }
}
