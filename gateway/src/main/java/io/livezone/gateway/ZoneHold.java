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
     * Holds a packet that left the delay line after the hold began: it was received before any held
     * packet of its flow, so it goes in front of them.
     */
    boolean addLate(Packet packet) {
        int at = packets.size();
        for (int i = 0; i < packets.size(); i++) {
            if (packets.get(i).flow == packet.flow) {
                at = i;
                break;
            }
        }
        return insert(at, packet);
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
