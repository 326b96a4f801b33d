package io.livezone.core;

/** Lifecycle of one zone as its driver sees it. */
public enum ZoneState {
    /** The VM executes guest code. */
    RUNNING,
    /** The VM exists but its vCPUs are stopped (operator pause, or a migration's switchover). */
    PAUSED,
    /** A live migration of this zone is under way. */
    MIGRATING,
    /**
     * Arriving from another host: a VM receives the migration stream, or holds it complete and
     * paused until the move commits. It has never run.
     */
    INCOMING,
    /** An arriving VM that ended before it ever ran: it never held the zone. */
    ARRIVAL_FAILED,
    /** Saved to a file; no process runs (hibernation). */
    SUSPENDED,
    /** The process is gone unexpectedly (crashed or killed). */
    DEAD
}
