package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated players on 127.0.0.1: each has its own socket and sends sequence-numbered datagrams
 * ({@code [player i32][seq i32][padding]}) to the gateway; a receiver thread records the echoes per
 * player, so a test can check that nothing was lost, duplicated or reordered.
 */
final class UdpPlayers implements AutoCloseable {
    static final int SIZE = 32;

    private final List<DatagramChannel> channels = new ArrayList<>();
    private final int[] nextSeq;
    private final List<List<Integer>> echoed = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final Selector selector;
    private final Thread receiver;
    private final byte[] prefix;

    private UdpPlayers(int count, InetSocketAddress gateway, byte[] prefix) throws IOException {
        this.prefix = prefix;
        nextSeq = new int[count];
        selector = Selector.open();
        for (int i = 0; i < count; i++) {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
            c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            c.connect(gateway);
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, i);
            channels.add(c);
            echoed.add(new ArrayList<>());
        }
        receiver = Thread.ofPlatform().daemon().name("udp-players").start(this::receive);
    }

    static UdpPlayers connect(int count, InetSocketAddress gateway) throws IOException {
        return new UdpPlayers(count, gateway, new byte[0]);
    }

    /** Players whose datagrams start with {@code prefix} (e.g. a protocol header). */
    static UdpPlayers connect(int count, InetSocketAddress gateway, byte[] prefix)
            throws IOException {
        return new UdpPlayers(count, gateway, prefix);
    }

    InetSocketAddress address(int player) throws IOException {
        return (InetSocketAddress) channels.get(player).getLocalAddress();
    }

    /** Every player sends its next datagram. */
    void sendRound() throws IOException {
        for (int i = 0; i < channels.size(); i++) {
            send(i);
        }
    }

    synchronized void send(int player) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.max(SIZE, prefix.length + 8));
        b.put(prefix).putInt(player).putInt(nextSeq[player]++);
        b.clear();
        if (channels.get(player).write(b) == 0) {
            throw new IllegalStateException("socket refused a datagram");
        }
        sent.incrementAndGet();
    }

    long sent() {
        return sent.get();
    }

    long received() {
        return received.get();
    }

    /** Sequence numbers echoed back to {@code player}, in arrival order. */
    List<Integer> echoed(int player) {
        synchronized (echoed.get(player)) {
            return List.copyOf(echoed.get(player));
        }
    }

    /** Each player got back exactly what it sent: 0..n-1, once each, in order. */
    void assertAllEchoedInOrder() {
        for (int i = 0; i < channels.size(); i++) {
            int sentByPlayer;
            synchronized (this) {
                sentByPlayer = nextSeq[i];
            }
            List<Integer> expected = new ArrayList<>();
            for (int s = 0; s < sentByPlayer; s++) {
                expected.add(s);
            }
            assertThat(echoed(i)).as("echoes of player %d", i).isEqualTo(expected);
        }
    }

    private void receive() {
        ByteBuffer b = ByteBuffer.allocate(2048);
        try {
            while (selector.isOpen()) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    DatagramChannel c = (DatagramChannel) key.channel();
                    while (true) {
                        b.clear();
                        if (c.read(b) <= 0) {
                            break;
                        }
                        b.flip();
                        b.position(prefix.length);
                        int player = b.getInt();
                        int seq = b.getInt();
                        synchronized (echoed.get(player)) {
                            echoed.get(player).add(seq);
                        }
                        received.incrementAndGet();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        try {
            receiver.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatagramChannel c : channels) {
            c.close();
        }
    }
}
