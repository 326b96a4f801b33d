package io.livezone.core;

/** Lifecycle of one zone as its driver sees it. */
public enum ZoneState {
    /** The VM executes guest code. */
    RUNNING,
    /** The VM exists but its vCPUs are stopped (operator pause, or a migration's switchover). */
    PAUSED,
    /** A live migration of this zone is under way. */
    MIGRATING,
    /** Arriving from another host: a VM waits here for the migration stream. */
    INCOMING,
    /** Saved to a file; no process runs (hibernation). */
    SUSPENDED,
    /** The process is gone unexpectedly (crashed or killed). */
    DEAD
}
