package io.livezone.gateway;

/**
 * Remembers each client datagram on its way to the zone (see {@link
 * GatewayConfig#switchoverReplay()}), then passes it on. Stream chunks are never replayed: TCP
 * retransmits what a stopped source missed, and repeating stream bytes would corrupt the stream.
 */
final class ReplayRecorder implements Stage {
    private final Stage next;

    ReplayRecorder(Stage next) {
        this.next = next;
    }

    @Override
    public void accept(Packet packet) {
        RecentDatagrams recent = packet.zone.recent;
        if (recent != null
                && !packet.replay
                && packet.direction == Direction.TO_ZONE
                && packet.flow instanceof UdpSession session) {
            recent.add(session, packet.payload(), System.nanoTime());
        }
        next.accept(packet);
    }
}
