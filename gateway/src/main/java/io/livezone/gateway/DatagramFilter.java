package io.livezone.gateway;

/**
 * Drops client datagrams that are empty, longer than allowed, or fail the configured check, and
 * counts them per zone; other clients' traffic is unaffected. The check applies to endpoints of
 * LiveZone's protocol only.
 */
final class DatagramFilter implements Stage {
    private final int maxBytes;
    private final DatagramCheck check;
    private final Stage next;

    DatagramFilter(int maxBytes, DatagramCheck check, Stage next) {
        this.maxBytes = maxBytes;
        this.check = check;
        this.next = next;
    }

    @Override
    public void accept(Packet packet) {
        int size = packet.size();
        if (size == 0
                || size > maxBytes
                || (packet.zone.protocol == EndpointProtocol.LIVEZONE
                        && !check.accepts(packet.payload()))) {
            packet.zone.counters.malformed.increment();
            return;
        }
        next.accept(packet);
    }
}
