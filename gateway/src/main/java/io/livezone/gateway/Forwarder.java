package io.livezone.gateway;

/**
 * The pipeline's last stage: hands the packet to its flow's socket (upstream towards the zone's
 * current location, or back to the client) and counts it as forwarded or dropped.
 */
final class Forwarder implements Stage {
    @Override
    public void accept(Packet packet) {
        Flow flow = packet.flow;
        ZoneCounters counters = packet.zone.counters;
        if (flow.isClosed()) {
            counters.dropped(ZoneCounters.DropReason.FLOW_CLOSED).increment();
            return;
        }
        int size = packet.size();
        boolean endOfStream = packet.isEndOfStream();
        if (!flow.write(packet)) {
            counters.dropped(ZoneCounters.DropReason.SEND_FAILED).increment();
        } else if (!endOfStream) {
            counters.forwarded(flow, packet.direction, size);
            flow.written(packet.direction, System.nanoTime());
        }
    }
}
