package io.livezone.gateway;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The client datagrams most recently forwarded to one zone, kept for {@link
 * GatewayConfig#switchoverReplay()}: bounded by age, count and bytes, oldest first. Event loop
 * only.
 */
final class RecentDatagrams {
    private record Entry(UdpSession flow, byte[] payload, long forwardedNanos) {}

    private final long windowNanos;
    private final int maxPackets;
    private final long maxBytes;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long bytes;

    RecentDatagrams(long windowNanos, int maxPackets, long maxBytes) {
        this.windowNanos = windowNanos;
        this.maxPackets = Math.max(1, maxPackets);
        this.maxBytes = Math.max(1, maxBytes);
    }

    void add(UdpSession flow, ByteBuffer payload, long nowNanos) {
        byte[] copy = new byte[payload.remaining()];
        payload.duplicate().get(copy);
        entries.addLast(new Entry(flow, copy, nowNanos));
        bytes += copy.length;
        trim(nowNanos);
    }

    /**
     * Takes out the datagrams forwarded within the window before {@code nowNanos}, oldest first, as
     * packets ready to be sent again (already delayed: they took the delay line the first time).
     */
    List<Packet> takeRecent(long nowNanos) {
        trim(nowNanos);
        List<Packet> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (!e.flow.isClosed()) {
                out.add(Packet.replay(e.flow, ByteBuffer.wrap(e.payload)));
            }
        }
        entries.clear();
        bytes = 0;
        return out;
    }

    private void trim(long nowNanos) {
        Entry head;
        while ((head = entries.peekFirst()) != null
                && (nowNanos - head.forwardedNanos > windowNanos
                        || entries.size() > maxPackets
                        || bytes > maxBytes)) {
            entries.removeFirst();
            bytes -= head.payload.length;
        }
    }
}
