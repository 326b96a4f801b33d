package io.livezone.gateway;

import io.livezone.gateway.latency.RegionLatency;

/**
 * Applies the emulated one-way delay between the client's region and the site of the zone's current
 * host. Packets of one flow and direction leave in the order they came, even when the delay shrinks
 * (the zone moved closer): a packet is never due before its predecessor. With no delay and nothing
 * of the flow waiting, the packet passes straight through.
 */
final class DelayStage implements Stage {
    private final EventLoop loop;
    private final RegionLatency latency;
    private final Stage next;

    DelayStage(EventLoop loop, RegionLatency latency, Stage next) {
        this.loop = loop;
        this.latency = latency;
        this.next = next;
    }

    @Override
    public void accept(Packet packet) {
        if (packet.delayed) {
            // Released from a hold after it had taken the delay line (or a replay of a packet
            // already forwarded): it was received before anything of its flow still on the line,
            // so it goes now, ahead of them. Queueing it behind them would reorder the flow.
            next.accept(packet);
            return;
        }
        Flow flow = packet.flow;
        Direction direction = packet.direction;
        long delay = latency.oneWayNanos(flow.region(), packet.zone.site());
        if (delay == 0 && flow.delayedPackets(direction) == 0) {
            packet.delayed = true;
            next.accept(packet);
            return;
        }
        long now = System.nanoTime();
        long due = now + delay;
        if (flow.delayedPackets(direction) > 0 && flow.lastDue(direction) - due > 0) {
            due = flow.lastDue(direction);
        }
        flow.delayedOne(direction, due);
        packet.detach().delayed = true;
        loop.schedule(
                due,
                () -> {
                    flow.undelayedOne(direction);
                    next.accept(packet);
                });
    }
}
