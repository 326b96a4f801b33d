package io.livezone.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * One client of one zone over UDP: an upstream socket of its own, aimed at wherever the zone is
 * now. Re-targeting needs no per-session work: each send reads the zone's current location.
 */
final class UdpSession extends Flow implements EventLoop.IoHandler {
    private static final Logger log = LoggerFactory.getLogger(UdpSession.class);
    private static final int MAX_READS_PER_WAKEUP = 64;

    final InetSocketAddress client;
    private final DatagramChannel upstream;
    private final ByteBuffer receiveBuffer;
    private final Stage toClient;
    private SelectionKey key;
    private long lastActiveNanos;
    private boolean closed;

    UdpSession(
            ZoneRoute zone,
            InetSocketAddress client,
            String region,
            DatagramChannel upstream,
            ByteBuffer receiveBuffer,
            Stage toClient) {
        super(zone, region);
        this.client = client;
        this.upstream = upstream;
        this.receiveBuffer = receiveBuffer;
        this.toClient = toClient;
        this.lastActiveNanos = System.nanoTime();
    }

    void key(SelectionKey selectionKey) {
        key = selectionKey;
    }

    void touch() {
        lastActiveNanos = System.nanoTime();
    }

    long lastActiveNanos() {
        return lastActiveNanos;
    }

    /** Local address of the upstream socket: the source the zone server sees for this client. */
    InetSocketAddress upstreamAddress() throws IOException {
        return (InetSocketAddress) upstream.getLocalAddress();
    }

    @Override
    public void ready(SelectionKey selected) throws IOException {
        for (int i = 0; i < MAX_READS_PER_WAKEUP && !closed; i++) {
            receiveBuffer.clear();
            SocketAddress from = upstream.receive(receiveBuffer);
            if (from == null) {
                return;
            }
            receiveBuffer.flip();
            ZoneRoute zone = zone();
            if (!zone.isZoneAddress(from)) {
                zone.counters.dropped(ZoneCounters.DropReason.FOREIGN_SOURCE).increment();
                continue;
            }
            touch();
            Packet packet =
                    Packet.datagram(
                            zone, Direction.TO_CLIENT, (InetSocketAddress) from, receiveBuffer);
            packet.flow = this;
            toClient.accept(packet);
        }
    }

    @Override
    boolean write(Packet packet) {
        try {
            if (packet.direction == Direction.TO_ZONE) {
                ZoneLocation location = zone().location();
                return location != null && upstream.send(packet.payload(), location.udp()) > 0;
            }
            return zone().udp.send(packet.payload(), client);
        } catch (IOException e) {
            log.debug("zone {}: send for client {} failed: {}", zone().name, client, e.toString());
            return false;
        }
    }

    @Override
    InetSocketAddress clientAddress() {
        return client;
    }

    @Override
    boolean isClosed() {
        return closed;
    }

    @Override
    public void failed(Exception cause) {
        log.debug("zone {}: upstream socket of client {} failed: {}", zone().name, client, cause);
        close();
    }

    /** Closes the upstream socket and leaves the zone's session table. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            upstream.close();
        } catch (IOException e) {
            log.debug("closing an upstream socket failed", e);
        }
        if (zone().sessions.remove(client, this)) {
            zone().counters.udpSessions.decrementAndGet();
        }
    }
}
