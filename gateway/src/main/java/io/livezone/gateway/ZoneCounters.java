package io.livezone.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one zone. Incremented on the event loop; read from anywhere. Names (Prometheus
 * form): {@code livezone_gateway_forwarded_total{protocol,direction}}, {@code
 * livezone_gateway_forwarded_bytes_total}, {@code livezone_gateway_held_total{protocol}}, {@code
 * livezone_gateway_replayed_total}, {@code livezone_gateway_dropped_malformed_total}, {@code
 * livezone_gateway_unknown_zone_total{protocol}}, {@code livezone_gateway_dropped_total{reason}},
 * {@code livezone_gateway_held_packets_max}, {@code livezone_gateway_held_bytes_max}, {@code
 * livezone_gateway_holds_total{outcome}}, {@code livezone_gateway_hold_seconds}, {@code
 * livezone_gateway_udp_sessions}, {@code livezone_gateway_tcp_connections}; all tagged {@code
 * zone}.
 */
final class ZoneCounters {
    static final String UDP = "udp";
    static final String TCP = "tcp";

    /** Why a packet was dropped, besides malformed and unknown zone. */
    enum DropReason {
        /** A UDP datagram arrived while the zone's hold buffer was full. */
        HOLD_OVERFLOW,
        /** The socket refused the datagram (send buffer full, network unreachable). */
        SEND_FAILED,
        /**
         * A reply on a client's upstream socket came from neither the current nor the previous zone
         * address.
         */
        FOREIGN_SOURCE,
        /** The zone refused or reset a TCP connection; the client connection was reset too. */
        UPSTREAM_FAILED,
        /** The client's session or connection ended while the packet was on its way. */
        FLOW_CLOSED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final String zone;
    private final List<Meter> meters = new ArrayList<>();

    final Counter udpToZone;
    final Counter udpToClient;
    final Counter tcpToZone;
    final Counter tcpToClient;
    final Counter udpBytesToZone;
    final Counter udpBytesToClient;
    final Counter tcpBytesToZone;
    final Counter tcpBytesToClient;
    final Counter heldUdp;
    final Counter heldTcp;
    final Counter replayedUdp;
    final Counter malformed;
    final Counter unknownZoneUdp;
    final Counter unknownZoneTcp;
    private final Counter[] dropped = new Counter[DropReason.values().length];
    final Counter holdsReleased;
    final Counter holdsOverflowed;
    final Counter holdsExpired;
    final Timer holdDuration;
    final AtomicLong heldPacketsMax = new AtomicLong();
    final AtomicLong heldBytesMax = new AtomicLong();
    final AtomicLong udpSessions = new AtomicLong();
    final AtomicLong tcpConnections = new AtomicLong();

    ZoneCounters(MeterRegistry registry, String zone) {
        this.registry = registry;
        this.zone = zone;
        udpToZone = forwarded(UDP, Direction.TO_ZONE);
        udpToClient = forwarded(UDP, Direction.TO_CLIENT);
        tcpToZone = forwarded(TCP, Direction.TO_ZONE);
        tcpToClient = forwarded(TCP, Direction.TO_CLIENT);
        udpBytesToZone = forwardedBytes(UDP, Direction.TO_ZONE);
        udpBytesToClient = forwardedBytes(UDP, Direction.TO_CLIENT);
        tcpBytesToZone = forwardedBytes(TCP, Direction.TO_ZONE);
        tcpBytesToClient = forwardedBytes(TCP, Direction.TO_CLIENT);
        heldUdp =
                counter(
                        "livezone.gateway.held",
                        "client datagrams (udp) or stream chunks (tcp) held during a switchover",
                        "protocol",
                        UDP);
        heldTcp =
                counter(
                        "livezone.gateway.held",
                        "client datagrams (udp) or stream chunks (tcp) held during a switchover",
                        "protocol",
                        TCP);
        replayedUdp =
                counter(
                        "livezone.gateway.replayed",
                        "client datagrams sent again after a switchover hold (switchoverReplay)");
        malformed =
                counter(
                        "livezone.gateway.dropped.malformed",
                        "client datagrams dropped as malformed (empty, too long, failed check)");
        unknownZoneUdp =
                counter(
                        "livezone.gateway.unknown.zone",
                        "datagrams dropped / connections refused: zone has no current location",
                        "protocol",
                        UDP);
        unknownZoneTcp =
                counter(
                        "livezone.gateway.unknown.zone",
                        "datagrams dropped / connections refused: zone has no current location",
                        "protocol",
                        TCP);
        for (DropReason reason : DropReason.values()) {
            dropped[reason.ordinal()] =
                    counter(
                            "livezone.gateway.dropped",
                            "packets dropped for other reasons than malformed or unknown zone",
                            "reason",
                            reason.tag());
        }
        holdsReleased = hold("released");
        holdsOverflowed = hold("overflowed");
        holdsExpired = hold("expired");
        holdDuration =
                add(
                        Timer.builder("livezone.gateway.hold")
                                .description("how long the zone's inbound traffic was held")
                                .tag("zone", zone)
                                .register(registry));
        gauge("livezone.gateway.held.packets.max", "most packets held at once", heldPacketsMax);
        gauge("livezone.gateway.held.bytes.max", "most bytes held at once", heldBytesMax);
        gauge("livezone.gateway.udp.sessions", "UDP client sessions", udpSessions);
        gauge("livezone.gateway.tcp.connections", "TCP connections", tcpConnections);
    }

    Counter dropped(DropReason reason) {
        return dropped[reason.ordinal()];
    }

    void forwarded(Flow flow, Direction direction, int bytes) {
        boolean udp = flow instanceof UdpSession;
        if (direction == Direction.TO_ZONE) {
            (udp ? udpToZone : tcpToZone).increment();
            (udp ? udpBytesToZone : tcpBytesToZone).increment(bytes);
        } else {
            (udp ? udpToClient : tcpToClient).increment();
            (udp ? udpBytesToClient : tcpBytesToClient).increment(bytes);
        }
    }

    void held(Flow flow) {
        (flow instanceof UdpSession ? heldUdp : heldTcp).increment();
    }

    void holdEnded(HoldHandle handle, Duration duration) {
        holdDuration.record(duration);
        if (handle.overflowed()) {
            holdsOverflowed.increment();
        } else if (handle.expired()) {
            holdsExpired.increment();
        } else {
            holdsReleased.increment();
        }
        heldPacketsMax.accumulateAndGet(handle.maxHeldPackets(), Math::max);
        heldBytesMax.accumulateAndGet(handle.maxHeldBytes(), Math::max);
    }

    ZoneTraffic snapshot() {
        return new ZoneTraffic(
                zone,
                (long) udpToZone.count(),
                (long) udpToClient.count(),
                (long) tcpBytesToZone.count(),
                (long) tcpBytesToClient.count(),
                (long) heldUdp.count(),
                (long) heldTcp.count(),
                (long) malformed.count(),
                (long) (unknownZoneUdp.count() + unknownZoneTcp.count()),
                (long) dropped(DropReason.HOLD_OVERFLOW).count(),
                (long) dropped(DropReason.SEND_FAILED).count(),
                (long) dropped(DropReason.FOREIGN_SOURCE).count(),
                (long) dropped(DropReason.FLOW_CLOSED).count(),
                heldPacketsMax.get(),
                udpSessions.get(),
                tcpConnections.get(),
                (long) replayedUdp.count());
    }

    /** Removes this zone's meters from the registry (the zone left the gateway). */
    void unregister() {
        meters.forEach(registry::remove);
        meters.clear();
    }

    private Counter forwarded(String protocol, Direction direction) {
        return counter(
                "livezone.gateway.forwarded",
                "datagrams (udp) or stream chunks (tcp) forwarded",
                "protocol",
                protocol,
                "direction",
                direction.tag());
    }

    private Counter forwardedBytes(String protocol, Direction direction) {
        return add(
                Counter.builder("livezone.gateway.forwarded.bytes")
                        .description("payload bytes forwarded")
                        .baseUnit("bytes")
                        .tags("zone", zone, "protocol", protocol, "direction", direction.tag())
                        .register(registry));
    }

    private Counter hold(String outcome) {
        return counter(
                "livezone.gateway.holds",
                "switchover holds by outcome (overflowed/expired asked for an abort)",
                "outcome",
                outcome);
    }

    private Counter counter(String name, String description, String... tags) {
        return add(
                Counter.builder(name)
                        .description(description)
                        .tag("zone", zone)
                        .tags(tags)
                        .register(registry));
    }

    private void gauge(String name, String description, AtomicLong value) {
        add(
                Gauge.builder(name, value, AtomicLong::get)
                        .description(description)
                        .tag("zone", zone)
                        .register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }
}
