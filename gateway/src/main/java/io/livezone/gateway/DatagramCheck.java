package io.livezone.gateway;

import java.nio.ByteBuffer;

/**
 * Decides whether a client datagram is well-formed enough to forward. Runs on the gateway's event
 * loop for every client datagram, so it must be cheap and must not keep the buffer. Empty and
 * over-long datagrams are rejected before any check runs.
 */
@FunctionalInterface
public interface DatagramCheck {
    /** Accepts every datagram of an allowed size. */
    DatagramCheck ANY = datagram -> true;

    /**
     * The LiveZone zone protocol's header: magic "LZ" (0x4C5A) and version 1 (see the dve module's
     * {@code Protocol}). Kept here as two constants so that the gateway need not depend on dve.
     */
    DatagramCheck LIVEZONE_HEADER =
            datagram -> {
                int p = datagram.position();
                return datagram.remaining() >= 4
                        && datagram.get(p) == 0x4C
                        && datagram.get(p + 1) == 0x5A
                        && datagram.get(p + 2) == 1;
            };

    /** {@code datagram}'s remaining bytes are one datagram; must not move its position. */
    boolean accepts(ByteBuffer datagram);
}
