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

/**
 * A UDP echo "zone" on the loopback address, for the benchmark: one thread, every datagram back.
 */
final class LoopbackEcho implements AutoCloseable {
    private final DatagramChannel channel;
    private final Thread thread;

    private LoopbackEcho(DatagramChannel channel) {
        this.channel = channel;
        this.thread = new Thread(this::run, "livezone-bench-echo");
        thread.setDaemon(true);
        thread.start();
    }

    static LoopbackEcho start() throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new LoopbackEcho(channel);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                buffer.flip();
                channel.send(buffer, from);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // One failed echo is one lost datagram; the benchmark counts losses itself.
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
