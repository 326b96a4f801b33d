package io.livezone.core.cluster;

/**
 * The players' gateway as a migrating host sees it: at the switchover pause the source agent asks
 * it to hold the zone's inbound traffic, and afterwards to release it to the destination's site (or
 * back to the source, when the migration was aborted). See the gateway's control API in
 * docs/api.md.
 */
public interface SwitchoverGate {
    /**
     * Starts holding the zone's inbound traffic.
     *
     * @return false when the gateway does not serve the zone (nothing to hold)
     */
    boolean hold(String zone);

    /**
     * True when the hold expired or overflowed: the migration should be aborted if it still can.
     */
    boolean abortRequired(String zone);

    /** The destination at {@code site} runs: send everything held there, in order. */
    void release(String zone, String site);

    /** The migration was aborted and the source runs again: send everything held back to it. */
    void abort(String zone);
}
