package io.livezone.gateway;

/** Which way a packet travels through the gateway. */
enum Direction {
    /** Client to zone: the direction that is held during a switchover. */
    TO_ZONE,
    /** Zone to client: never held (a paused zone sends nothing). */
    TO_CLIENT;

    String tag() {
        return this == TO_ZONE ? "to_zone" : "to_client";
    }
}
