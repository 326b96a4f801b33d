package io.livezone.gateway;

/**
 * Why a hold asks its migration to be aborted. The gateway never drops held traffic to make room or
 * to end a hold by itself: it reports, and the migration driver decides (abort, then release back
 * to the source).
 */
public enum HoldProblem {
    /**
     * The zone's hold buffer filled (bytes or packets). UDP datagrams that did not fit were dropped
     * and counted; TCP clients are no longer read (their own TCP flow control pushes back), so no
     * TCP byte is lost.
     */
    OVERFLOWED,
    /** The hold lasted longer than the configured maximum; traffic is still held. */
    EXPIRED
}
