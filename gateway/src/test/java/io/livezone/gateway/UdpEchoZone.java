package io.livezone.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A stand-in zone server on 127.0.0.1: echoes every datagram to its sender and counts them. */
final class UdpEchoZone implements AutoCloseable {
    private final DatagramChannel channel;
    private final AtomicLong received = new AtomicLong();
    private final Set<SocketAddress> sources = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final InetSocketAddress address;

    private UdpEchoZone(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.address = (InetSocketAddress) channel.getLocalAddress();
        thread = Thread.ofPlatform().daemon().name("udp-echo-zone").start(this::run);
    }

    static UdpEchoZone start() throws IOException {
        return start(0);
    }

    static UdpEchoZone start(int port) throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new UdpEchoZone(channel);
    }

    InetSocketAddress address() {
        return address;
    }

    ZoneLocation location(String site) {
        return ZoneLocation.of(address(), site);
    }

    /** Datagrams received (and echoed) so far. */
    long received() {
        return received.get();
    }

    /** Distinct source addresses seen: one per client session of the gateway. */
    Set<SocketAddress> sources() {
        return sources;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                buffer.flip();
                sources.add(from);
                channel.send(buffer, from);
                received.incrementAndGet();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // keep echoing
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
