package io.livezone.gateway;

/**
 * While the zone switches over, keeps its inbound packets in the zone's hold, in arrival order;
 * otherwise passes them on. A datagram that does not fit is dropped and counted (the hold then
 * reports the overflow, which asks the migration driver to abort).
 */
final class HoldStage implements Stage {
    private final Stage next;

    HoldStage(Stage next) {
        this.next = next;
    }

    @Override
    public void accept(Packet packet) {
        ZoneHold hold = packet.zone.hold();
        if (hold == null) {
            next.accept(packet);
        } else if (!hold.add(packet)) {
            packet.zone.counters.dropped(ZoneCounters.DropReason.HOLD_OVERFLOW).increment();
        }
    }
}
