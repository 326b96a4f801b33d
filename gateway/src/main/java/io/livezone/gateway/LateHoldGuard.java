package io.livezone.gateway;

/**
 * Nothing reaches a zone while it is held: an inbound packet that was already on the delay line
 * when the hold began joins the hold here, ahead of the held packets of its own flow (it was
 * received before them), so order per client is kept.
 */
final class LateHoldGuard implements Stage {
    private final Stage next;

    LateHoldGuard(Stage next) {
        this.next = next;
    }

    @Override
    public void accept(Packet packet) {
        ZoneHold hold = packet.zone.hold();
        if (hold == null || packet.direction != Direction.TO_ZONE) {
            next.accept(packet);
        } else if (!hold.addLate(packet)) {
            packet.zone.counters.dropped(ZoneCounters.DropReason.HOLD_OVERFLOW).increment();
        }
    }
}
