package io.livezone.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * The bounded, ordered buffer of a zone's inbound traffic during one switchover. UDP datagrams that
 * do not fit are refused (the caller drops and counts them); TCP chunks are never refused: TCP
 * readers ask for {@link #roomBytes()} first and stop reading when it is zero, so only the few
 * chunks already on the delay line can push the buffer past its bound.
 */
final class ZoneHold {
    final HoldHandle handle;
    private final int maxPackets;
    private final long maxBytes;
    private final ZoneCounters counters;
    private final List<Packet> packets = new ArrayList<>();
    private long bytes;
    private EventLoop.Timer expiry;

    ZoneHold(HoldHandle handle, int maxPackets, long maxBytes, ZoneCounters counters) {
        this.handle = handle;
        this.maxPackets = maxPackets;
        this.maxBytes = maxBytes;
        this.counters = counters;
    }

    void expiry(EventLoop.Timer timer) {
        expiry = timer;
    }

    /** Bytes a TCP reader may still read for this hold; 0 means stop reading. */
    long roomBytes() {
        return packets.size() >= maxPackets ? 0 : Math.max(0, maxBytes - bytes);
    }

    /** Appends; returns false (and reports the overflow) when a datagram does not fit. */
    boolean add(Packet packet) {
        return insert(packets.size(), packet);
    }

    /**
     * Holds a packet that left the delay line after the hold began: it was received before any
     * packet of its flow that the hold stage took, so it goes in front of those, but behind the
     * flow's replays (forwarded before it) and behind the flow's earlier late packets (the delay
     * line hands them over in the order they came).
     */
    boolean addLate(Packet packet) {
        int at = packets.size();
        for (int i = 0; i < packets.size(); i++) {
            Packet p = packets.get(i);
            if (p.flow == packet.flow && !p.replay && !p.late) {
                at = i;
                break;
            }
        }
        packet.late = true;
        return insert(at, packet);
    }

    /**
     * Adds copies of datagrams forwarded just before the hold, to be sent again first; call before
     * anything else is held. They never count as an overflow: one that does not fit is skipped.
     */
    void addReplays(List<Packet> replays) {
        for (Packet packet : replays) {
            if (packets.size() >= maxPackets || bytes + packet.size() > maxBytes) {
                return;
            }
            packets.add(packet);
            bytes += packet.size();
            handle.replayed(packets.size(), bytes);
            counters.replayedUdp.increment();
        }
    }

    private boolean insert(int at, Packet packet) {
        boolean fits = packets.size() < maxPackets && bytes + packet.size() <= maxBytes;
        boolean stream = packet.flow instanceof TcpConnection;
        if (!fits) {
            handle.report(HoldProblem.OVERFLOWED);
            if (!stream) {
                handle.dropped();
                return false;
            }
        }
        packets.add(at, packet.detach());
        bytes += packet.size();
        handle.held(packets.size(), bytes);
        counters.held(packet.flow);
        counters.heldPacketsMax.accumulateAndGet(packets.size(), Math::max);
        counters.heldBytesMax.accumulateAndGet(bytes, Math::max);
        if (stream && roomBytes() == 0) {
            // Full now: TCP readers stop; that the buffer filled is worth an abort all the same.
            handle.report(HoldProblem.OVERFLOWED);
        }
        return true;
    }

    /** Ends the hold and hands out the held packets in order. */
    List<Packet> drain(long nowNanos) {
        if (expiry != null) {
            expiry.cancel();
        }
        List<Packet> out = List.copyOf(packets);
        packets.clear();
        bytes = 0;
        handle.released(nowNanos);
        return out;
    }
}
