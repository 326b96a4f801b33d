package io.livezone.gateway;

/**
 * Maps a datagram to its zone's current location; while the zone has none (withdrawn: stopped,
 * hibernated, not yet placed) the datagram is counted as unknown-zone traffic and dropped.
 */
final class ZoneRouter implements Stage {
    private final Stage next;

    ZoneRouter(Stage next) {
        this.next = next;
    }

    @Override
    public void accept(Packet packet) {
        if (packet.zone.location() == null) {
            packet.zone.counters.unknownZoneUdp.increment();
            return;
        }
        next.accept(packet);
    }
}
