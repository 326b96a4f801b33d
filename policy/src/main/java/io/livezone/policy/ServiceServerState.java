package io.livezone.policy;

/** Where a VM of a switched service is in its life cycle. */
public enum ServiceServerState {
    /** In rotation, taking load. */
    ACTIVE,
    /** Being resumed from hibernation on a host; not taking load yet. */
    RESUMING,
    /** Out of rotation, finishing its sessions before it hibernates. */
    DRAINING,
    /** Suspended to storage, in the pool; uses no host. */
    HIBERNATED
}
