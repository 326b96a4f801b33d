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
 * The zone's stable UDP address: receives client datagrams into the inbound pipeline and sends the
 * zone's replies back to clients from the same address (so clients see one peer, wherever the zone
 * runs).
 */
final class UdpEndpoint implements EventLoop.IoHandler {
    private static final Logger log = LoggerFactory.getLogger(UdpEndpoint.class);
    private static final int MAX_READS_PER_WAKEUP = 64;

    private final ZoneRoute zone;
    final DatagramChannel channel;
    private final ByteBuffer receiveBuffer;
    private final int maxDatagramBytes;
    private final Stage inbound;

    UdpEndpoint(
            ZoneRoute zone,
            DatagramChannel channel,
            ByteBuffer receiveBuffer,
            int maxDatagramBytes,
            Stage inbound) {
        this.zone = zone;
        this.channel = channel;
        this.receiveBuffer = receiveBuffer;
        this.maxDatagramBytes = maxDatagramBytes;
        this.inbound = inbound;
    }

    @Override
    public void ready(SelectionKey key) throws IOException {
        for (int i = 0; i < MAX_READS_PER_WAKEUP; i++) {
            receiveBuffer.clear();
            // One byte more than allowed: a longer datagram fills it and is recognised as too long.
            receiveBuffer.limit(Math.min(receiveBuffer.capacity(), maxDatagramBytes + 1));
            SocketAddress from = channel.receive(receiveBuffer);
            if (from == null) {
                return;
            }
            receiveBuffer.flip();
            inbound.accept(
                    Packet.datagram(
                            zone, Direction.TO_ZONE, (InetSocketAddress) from, receiveBuffer));
        }
    }

    boolean send(ByteBuffer payload, InetSocketAddress client) throws IOException {
        return channel.send(payload, client) > 0;
    }

    @Override
    public void failed(Exception cause) {
        // A receive error concerns one datagram (e.g. an ICMP error report); the endpoint lives on.
        log.debug("zone {}: UDP endpoint error: {}", zone.name, cause.toString());
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a UDP endpoint failed", e);
        }
    }
}
