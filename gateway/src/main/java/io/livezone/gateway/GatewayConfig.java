package io.livezone.gateway;

import io.livezone.core.InvalidInputException;
import io.livezone.gateway.latency.ClientRegions;
import io.livezone.gateway.latency.QosPolicy;
import io.livezone.gateway.latency.RegionLatency;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Settings of one gateway.
 *
 * @param bindAddress where zone endpoints listen (players connect here)
 * @param upstreamBindAddress local address of the per-client upstream sockets towards zones
 * @param maxHeldPackets per zone and hold: datagrams plus stream chunks
 * @param maxHeldBytes per zone and hold
 * @param maxHold a hold lasting longer reports {@link HoldProblem#EXPIRED}
 * @param maxDatagramBytes longer client datagrams are malformed
 * @param datagramCheck further test a client datagram must pass
 * @param regionLatency emulated one-way delay per (client region, zone site)
 * @param regionOf region of a client that has no explicit assignment
 * @param udpSessionIdleTimeout a UDP session with no traffic for this long is closed
 * @param tcpBufferBytes per connection and direction: bytes inside the gateway before the sender is
 *     no longer read
 * @param qos how RTT samples become the QoS figure
 * @param rewriteWelcomeUdpPort rewrite the UDP port in the zone server's {@code WELCOME} reply to
 *     the gateway's port (needed when clients take their UDP port from it, as LiveZone's bots do;
 *     off by default because it reads the zone's control stream)
 * @param switchoverReplay at a hold, the client datagrams forwarded to the zone within this long
 *     before it are sent again on release, ahead of the held ones (zero: off). A source VM stops a
 *     moment before the hold can begin (QEMU reports the stop, the migration driver calls the
 *     hook); datagrams that reached the stopped source in that moment sit in its network queue and
 *     die with it when the migration succeeds, as do datagrams a guest that lags under load had not
 *     yet taken from that queue (measured here: over 100 ms of them on a loaded 2-core TCG host, so
 *     250 ms is a sound window). Replaying covers that moment at the price of a few duplicates, so
 *     turn it on only for zone protocols that discard repeated datagrams (LiveZone's zone server
 *     ignores inputs with an old sequence number). At most half of {@code maxHeldPackets} and
 *     {@code maxHeldBytes} is kept for it.
 */
public record GatewayConfig(
        InetAddress bindAddress,
        InetAddress upstreamBindAddress,
        int maxHeldPackets,
        long maxHeldBytes,
        Duration maxHold,
        int maxDatagramBytes,
        DatagramCheck datagramCheck,
        RegionLatency regionLatency,
        Function<InetSocketAddress, String> regionOf,
        Duration udpSessionIdleTimeout,
        int tcpBufferBytes,
        QosPolicy qos,
        boolean rewriteWelcomeUdpPort,
        Duration switchoverReplay) {

    /** Largest payload of a UDP datagram over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    public GatewayConfig {
        Objects.requireNonNull(bindAddress, "bindAddress is null");
        Objects.requireNonNull(upstreamBindAddress, "upstreamBindAddress is null");
        Objects.requireNonNull(maxHold, "maxHold is null");
        Objects.requireNonNull(datagramCheck, "datagramCheck is null");
        Objects.requireNonNull(regionLatency, "regionLatency is null");
        Objects.requireNonNull(regionOf, "regionOf is null");
        Objects.requireNonNull(udpSessionIdleTimeout, "udpSessionIdleTimeout is null");
        Objects.requireNonNull(qos, "qos is null");
        Objects.requireNonNull(switchoverReplay, "switchoverReplay is null");
        if (maxHeldPackets < 1) {
            throw new InvalidInputException("maxHeldPackets must be >= 1, got " + maxHeldPackets);
        }
        if (maxHeldBytes < 1) {
            throw new InvalidInputException("maxHeldBytes must be >= 1, got " + maxHeldBytes);
        }
        if (maxHold.isNegative() || maxHold.isZero()) {
            throw new InvalidInputException("maxHold must be > 0, got " + maxHold);
        }
        if (maxDatagramBytes < 1 || maxDatagramBytes > MAX_UDP_PAYLOAD) {
            throw new InvalidInputException(
                    "maxDatagramBytes must be 1.." + MAX_UDP_PAYLOAD + ", got " + maxDatagramBytes);
        }
        if (udpSessionIdleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidInputException(
                    "udpSessionIdleTimeout must be >= 1 s, got " + udpSessionIdleTimeout);
        }
        if (tcpBufferBytes < 1024) {
            throw new InvalidInputException(
                    "tcpBufferBytes must be >= 1024, got " + tcpBufferBytes);
        }
        if (switchoverReplay.isNegative()
                || switchoverReplay.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new InvalidInputException(
                    "switchoverReplay must be 0..10 s, got " + switchoverReplay.toMillis() + " ms");
        }
    }

    /**
     * Listens on every interface; 4096 packets / 4 MiB and 2 s per hold (a switchover takes
     * milliseconds to a few hundred ms, and a 50 ms tick game sends ~20 datagrams per client per
     * second), datagrams up to 1472 bytes (one Ethernet frame), no emulated delay, everyone in
     * region {@code default}, UDP sessions idle for 2 minutes closed, 256 KiB per TCP direction, no
     * switchover replay.
     */
    public static GatewayConfig defaults() {
        return new GatewayConfig(
                anyLocal(),
                anyLocal(),
                4096,
                4L << 20,
                Duration.ofSeconds(2),
                1472,
                DatagramCheck.ANY,
                RegionLatency.NONE,
                ClientRegions.everyoneDefault(),
                Duration.ofMinutes(2),
                256 * 1024,
                QosPolicy.DEFAULT,
                false,
                Duration.ZERO);
    }

    /** {@link #defaults()} bound to the loopback address only (tests, benchmarks, one host). */
    public static GatewayConfig loopback() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        return defaults().toBuilder().bindAddress(lo).upstreamBindAddress(lo).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    private static InetAddress anyLocal() {
        return new InetSocketAddress(0).getAddress();
    }

    /** Changes several settings, validating the final combination once. */
    public static final class Builder {
        private InetAddress bindAddress;
        private InetAddress upstreamBindAddress;
        private int maxHeldPackets;
        private long maxHeldBytes;
        private Duration maxHold;
        private int maxDatagramBytes;
        private DatagramCheck datagramCheck;
        private RegionLatency regionLatency;
        private Function<InetSocketAddress, String> regionOf;
        private Duration udpSessionIdleTimeout;
        private int tcpBufferBytes;
        private QosPolicy qos;
        private boolean rewriteWelcomeUdpPort;
        private Duration switchoverReplay;

        private Builder(GatewayConfig from) {
            bindAddress = from.bindAddress;
            upstreamBindAddress = from.upstreamBindAddress;
            maxHeldPackets = from.maxHeldPackets;
            maxHeldBytes = from.maxHeldBytes;
            maxHold = from.maxHold;
            maxDatagramBytes = from.maxDatagramBytes;
            datagramCheck = from.datagramCheck;
            regionLatency = from.regionLatency;
            regionOf = from.regionOf;
            udpSessionIdleTimeout = from.udpSessionIdleTimeout;
            tcpBufferBytes = from.tcpBufferBytes;
            qos = from.qos;
            rewriteWelcomeUdpPort = from.rewriteWelcomeUdpPort;
            switchoverReplay = from.switchoverReplay;
        }

        public Builder bindAddress(InetAddress v) {
            bindAddress = v;
            return this;
        }

        public Builder upstreamBindAddress(InetAddress v) {
            upstreamBindAddress = v;
            return this;
        }

        public Builder maxHeldPackets(int v) {
            maxHeldPackets = v;
            return this;
        }

        public Builder maxHeldBytes(long v) {
            maxHeldBytes = v;
            return this;
        }

        public Builder maxHold(Duration v) {
            maxHold = v;
            return this;
        }

        public Builder maxDatagramBytes(int v) {
            maxDatagramBytes = v;
            return this;
        }

        public Builder datagramCheck(DatagramCheck v) {
            datagramCheck = v;
            return this;
        }

        public Builder regionLatency(RegionLatency v) {
            regionLatency = v;
            return this;
        }

        public Builder regionOf(Function<InetSocketAddress, String> v) {
            regionOf = v;
            return this;
        }

        public Builder udpSessionIdleTimeout(Duration v) {
            udpSessionIdleTimeout = v;
            return this;
        }

        public Builder tcpBufferBytes(int v) {
            tcpBufferBytes = v;
            return this;
        }

        public Builder qos(QosPolicy v) {
            qos = v;
            return this;
        }

        public Builder rewriteWelcomeUdpPort(boolean v) {
            rewriteWelcomeUdpPort = v;
            return this;
        }

        public Builder switchoverReplay(Duration v) {
            switchoverReplay = v;
            return this;
        }

        public GatewayConfig build() {
            return new GatewayConfig(
                    bindAddress,
                    upstreamBindAddress,
                    maxHeldPackets,
                    maxHeldBytes,
                    maxHold,
                    maxDatagramBytes,
                    datagramCheck,
                    regionLatency,
                    regionOf,
                    udpSessionIdleTimeout,
                    tcpBufferBytes,
                    qos,
                    rewriteWelcomeUdpPort,
                    switchoverReplay);
        }
    }
}
