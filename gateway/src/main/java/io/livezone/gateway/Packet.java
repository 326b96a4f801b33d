package io.livezone.gateway;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One unit travelling down a pipeline: a UDP datagram, a chunk of a TCP stream, or a TCP stream's
 * end. Its payload starts out borrowed from the event loop's receive buffer; a stage that keeps the
 * packet beyond its own call (hold, delay, a pending write) must {@link #detach()} it first.
 */
final class Packet {
    final ZoneRoute zone;
    final Direction direction;

    /** Where a UDP datagram came from (client address for TO_ZONE); null for TCP. */
    final InetSocketAddress source;

    /** The client flow (UDP session or TCP connection); set by the session mapper for UDP. */
    Flow flow;

    /** True once the delay stage has applied the emulated delay (a later pass must not add it). */
    boolean delayed;

    /** A copy of a datagram already forwarded, sent again after a switchover hold. */
    boolean replay;

    /** Joined a hold from the delay line (it was received before the hold began). */
    boolean late;

    private ByteBuffer payload;
    private boolean owned;
    private final boolean endOfStream;

    private Packet(
            ZoneRoute zone,
            Direction direction,
            InetSocketAddress source,
            Flow flow,
            ByteBuffer payload,
            boolean endOfStream) {
        this.zone = zone;
        this.direction = direction;
        this.source = source;
        this.flow = flow;
        this.payload = payload;
        this.endOfStream = endOfStream;
    }

    static Packet datagram(
            ZoneRoute zone, Direction direction, InetSocketAddress source, ByteBuffer borrowed) {
        return new Packet(zone, direction, source, null, borrowed, false);
    }

    static Packet chunk(Flow flow, Direction direction, ByteBuffer borrowed) {
        return new Packet(flow.zone(), direction, null, flow, borrowed, false);
    }

    /** A client datagram forwarded before a hold, to send again when it is released. */
    static Packet replay(UdpSession flow, ByteBuffer owned) {
        Packet p = new Packet(flow.zone(), Direction.TO_ZONE, flow.client, flow, owned, false);
        p.owned = true;
        p.delayed = true;
        p.replay = true;
        return p;
    }

    static Packet endOfStream(Flow flow, Direction direction) {
        Packet p = new Packet(flow.zone(), direction, null, flow, ByteBuffer.allocate(0), true);
        p.owned = true;
        return p;
    }

    /** The bytes to forward, positioned at the first one. Do not keep it unless detached. */
    ByteBuffer payload() {
        return payload;
    }

    int size() {
        return payload.remaining();
    }

    boolean isEndOfStream() {
        return endOfStream;
    }

    /** Copies a borrowed payload so the packet may outlive the current event; returns this. */
    Packet detach() {
        if (!owned) {
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
            copy.put(payload.duplicate()).flip();
            payload = copy;
            owned = true;
        }
        return this;
    }
}
