package io.livezone.gateway;

/**
 * One step of a gateway pipeline (receive, map to zone, hold, delay, forward). A stage either
 * passes the packet to its next stage, keeps it for later, or drops it and counts why. Stages run
 * on the event loop only.
 */
interface Stage {
    void accept(Packet packet);
}
