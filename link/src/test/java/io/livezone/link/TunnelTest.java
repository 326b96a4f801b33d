package io.livezone.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The forwarders as plain byte pipes: integrity, half-close, concurrency, failure and cleanup. */
class TunnelTest {
    private static final long MB20 = 20L * 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir Path dir;

    /** Server side of the integrity test: echo a digest of what came in, send its own stream. */
    private static final class TwoWayPeer implements TestServer.Handler {
        final CompletableFuture<Streams.Received> received = new CompletableFuture<>();
        final CompletableFuture<String> sent = new CompletableFuture<>();
        final long seed;
        final long length;

        TwoWayPeer(long seed, long length) {
            this.seed = seed;
            this.length = length;
        }

        @Override
        public void handle(SocketChannel peer) throws Exception {
            Thread reader =
                    Thread.ofVirtual()
                            .start(
                                    () -> {
                                        try {
                                            received.complete(Streams.drain(peer));
                                        } catch (IOException e) {
                                            received.completeExceptionally(e);
                                        }
                                    });
            sent.complete(Streams.sendRandom(peer, seed, length));
            reader.join();
        }
    }

    static Streams.Received exchange(Rig rig, long seed, long length, AtomicReference<String> sent)
            throws Exception {
        try (SocketChannel client = rig.connect();
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Streams.Received> back = pool.submit(() -> Streams.drain(client));
            sent.set(Streams.sendRandom(client, seed, length));
            return back.get(60, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void carries20MbEachWayByteExact(Rig.Kind kind) throws Exception {
        TwoWayPeer peer = new TwoWayPeer(2, MB20);
        try (Rig rig = Rig.open(kind, dir, peer)) {
            AtomicReference<String> clientSent = new AtomicReference<>();
            Streams.Received atClient = exchange(rig, 1, MB20, clientSent);
            Streams.Received atServer = peer.received.get(30, TimeUnit.SECONDS);

            assertThat(atServer.bytes()).isEqualTo(MB20);
            assertThat(atServer.sha256()).isEqualTo(clientSent.get());
            assertThat(atClient.bytes()).isEqualTo(MB20);
            assertThat(atClient.sha256()).isEqualTo(peer.sent.get());
            await().atMost(WAIT).until(() -> rig.tunnel().stats().connectionsOpen() == 0);
            TunnelStats stats = rig.tunnel().stats();
            assertThat(stats.connectionsAccepted()).isEqualTo(1);
            assertThat(stats.bytesOutbound()).isEqualTo(MB20);
            assertThat(stats.bytesInbound()).isEqualTo(MB20);
            assertThat(stats.bytesBuffered()).isZero();
            assertThat(rig.server().failures()).isEmpty();
        }
    }

    @Test
    void chainedUnixToTcpToUnixWithEmulatedLinksIsByteExact() throws Exception {
        // The deployment shape: QEMU -> unix -> [host A] -> tcp -> [host B] -> unix -> QEMU,
        // with the WAN emulated on the sending host.
        TwoWayPeer peer = new TwoWayPeer(4, MB20);
        LinkProfile wan = LinkProfile.delay(Duration.ofMillis(5), Duration.ofMillis(5));
        LinkPair links =
                LinkPair.of(new EmulatedLink("a->b", wan, 1), new EmulatedLink("b->a", wan, 2));
        InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (TestServer qemuDst = TestServer.unix(dir.resolve("dst.sock"), peer);
                TcpToUnixForwarder hostB = TcpToUnixForwarder.open(anyPort, qemuDst.unixPath());
                UnixToTcpForwarder hostA =
                        UnixToTcpForwarder.open(
                                dir.resolve("src.sock"), hostB.listenAddress(), links);
                SocketChannel qemuSrc =
                        Streams.connect(UnixDomainSocketAddress.of(hostA.socketPath()));
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Streams.Received> back = pool.submit(() -> Streams.drain(qemuSrc));
            String sent = Streams.sendRandom(qemuSrc, 3, MB20);

            Streams.Received atSrc = back.get(60, TimeUnit.SECONDS);
            Streams.Received atDst = peer.received.get(30, TimeUnit.SECONDS);
            assertThat(atDst).isEqualTo(new Streams.Received(MB20, sent));
            assertThat(atSrc).isEqualTo(new Streams.Received(MB20, peer.sent.get()));
            assertThat(links.outbound().orElseThrow().bytesCarried()).isEqualTo(MB20);
            assertThat(links.inbound().orElseThrow().bytesCarried()).isEqualTo(MB20);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void passesHalfCloseOnAndKeepsTheOtherDirectionOpen(Rig.Kind kind) throws Exception {
        byte[] request = "request".getBytes(StandardCharsets.UTF_8);
        byte[] reply = "reply after your end of stream".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<byte[]> seenByServer = new CompletableFuture<>();
        TestServer.Handler server =
                peer -> {
                    // Reading to the end proves the client's shutdownOutput arrived as EOF...
                    seenByServer.complete(Streams.readAll(peer));
                    // ...and writing afterwards proves the connection was not torn down by it.
                    Streams.writeFully(peer, ByteBuffer.wrap(reply));
                };
        try (Rig rig = Rig.open(kind, dir, server);
                SocketChannel client = rig.connect()) {
            Streams.writeFully(client, ByteBuffer.wrap(request));
            client.shutdownOutput();

            assertThat(seenByServer.get(10, TimeUnit.SECONDS)).isEqualTo(request);
            assertThat(Streams.readAll(client)).isEqualTo(reply);
            await().atMost(WAIT).until(() -> rig.tunnel().stats().connectionsOpen() == 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void servesManyConcurrentConnections(Rig.Kind kind) throws Exception {
        manyConcurrentEchoes(kind, LinkPair.DIRECT);
    }

    @Test
    void manyConnectionsThroughOneSharedJitteryLinkStayIntact() throws Exception {
        LinkProfile wan = LinkProfile.delay(Duration.ofMillis(2), Duration.ofMillis(3));
        LinkPair shared =
                LinkPair.of(new EmulatedLink("a->b", wan, 1), new EmulatedLink("b->a", wan, 2));
        manyConcurrentEchoes(Rig.Kind.TCP_RELAY, shared);
        assertThat(shared.outbound().orElseThrow().bytesCarried()).isEqualTo(48L * 256 * 1024);
    }

    private void manyConcurrentEchoes(Rig.Kind kind, LinkPair links) throws Exception {
        int clients = 48;
        int size = 256 * 1024;
        try (Rig rig = kind.open(dir, TestServer.ECHO, links);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch allConnected = new CountDownLatch(clients);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                long seed = i;
                results.add(
                        pool.submit(
                                () -> {
                                    try (SocketChannel c = rig.connect()) {
                                        allConnected.countDown();
                                        allConnected.await();
                                        Future<Streams.Received> back =
                                                pool.submit(() -> Streams.drain(c));
                                        String sent = Streams.sendRandom(c, seed, size);
                                        return back.get().equals(new Streams.Received(size, sent));
                                    }
                                }));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isTrue();
            }
            await().atMost(WAIT).until(() -> rig.tunnel().stats().connectionsOpen() == 0);
            TunnelStats stats = rig.tunnel().stats();
            assertThat(stats.connectionsAccepted()).isEqualTo(clients);
            assertThat(stats.bytesOutbound()).isEqualTo((long) clients * size);
            assertThat(stats.bytesInbound()).isEqualTo((long) clients * size);
            assertThat(rig.server().failures()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void anAbortedClientClosesTheTargetSideToo(Rig.Kind kind) throws Exception {
        CompletableFuture<Void> serverSawEnd = new CompletableFuture<>();
        CountDownLatch gotHello = new CountDownLatch(1);
        TestServer.Handler server =
                peer -> {
                    ByteBuffer b = ByteBuffer.allocate(1024);
                    try {
                        while (peer.read(b) >= 0) {
                            gotHello.countDown();
                            b.clear();
                        }
                    } catch (IOException reset) {
                        // Either EOF or a reset is an acceptable way to learn of it.
                    }
                    serverSawEnd.complete(null);
                };
        try (Rig rig = Rig.open(kind, dir, server)) {
            SocketChannel client = rig.connect();
            Streams.writeFully(client, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(gotHello.await(10, TimeUnit.SECONDS)).isTrue();
            if (rig.entry() instanceof InetSocketAddress) {
                client.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
            }
            client.close();

            serverSawEnd.get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> rig.tunnel().stats().connectionsOpen() == 0);
        }
    }

    @Test
    void anUnreachableTargetDropsTheAcceptedConnectionAndCountsIt() throws Exception {
        InetSocketAddress deadTarget;
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            deadTarget = (InetSocketAddress) s.getLocalAddress();
        }
        try (TcpRelay relay =
                        TcpRelay.open(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                deadTarget);
                SocketChannel client = Streams.connect(relay.listenAddress())) {
            assertThat(client.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            await().atMost(WAIT).until(() -> relay.stats().connectionsFailed() == 1);
            assertThat(relay.stats().connectionsOpen()).isZero();
        }
    }

    @Test
    void closingStopsAcceptingClosesLiveConnectionsAndDeletesTheSocketFile() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        TestServer.Handler server =
                peer -> {
                    connected.countDown();
                    Streams.readAll(peer);
                };
        try (TestServer target = TestServer.tcp(server)) {
            Path socket = dir.resolve("mig.sock");
            UnixToTcpForwarder forwarder = UnixToTcpForwarder.open(socket, target.inetAddress());
            assertThat(socket).exists();
            SocketChannel live = Streams.connect(UnixDomainSocketAddress.of(socket));
            assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();

            forwarder.close();

            assertThat(socket).doesNotExist();
            assertThat(forwarder.isClosed()).isTrue();
            assertThat(live.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            assertThat(forwarder.stats().connectionsOpen()).isZero();
            assertThatThrownBy(() -> Streams.connect(UnixDomainSocketAddress.of(socket)))
                    .isInstanceOf(IOException.class);
            forwarder.close(); // idempotent
            live.close();
        }
    }

    @Test
    void closingATcpListenerFreesItsPort() throws Exception {
        TcpToUnixForwarder f =
                TcpToUnixForwarder.open(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        dir.resolve("absent.sock"));
        assertThat(f.port()).isPositive();
        f.close();
        assertThatThrownBy(() -> Streams.connect(f.listenAddress()))
                .isInstanceOf(IOException.class);
        // The port can be listened on again at once.
        InetSocketAddress discard = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        try (TcpRelay again = TcpRelay.open(f.listenAddress(), discard)) {
            assertThat(again.port()).isEqualTo(f.port());
        }
    }

    @Test
    void replacesAStaleSocketFileButRefusesALiveOneOrARegularFile() throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists(); // closing a unix listener leaves its file behind
        try (UnixToTcpForwarder f = UnixToTcpForwarder.open(stale, target)) {
            assertThat(f.socketPath()).exists();
            assertThatThrownBy(() -> UnixToTcpForwarder.open(stale, target))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(stale.toString())
                    .hasMessageContaining("another process is serving it");
        }
        Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
        assertThatThrownBy(() -> UnixToTcpForwarder.open(file, target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a socket");
        assertThat(file).hasContent("keep me");
        assertThatThrownBy(() -> UnixToTcpForwarder.open(dir.resolve("no/such/dir.sock"), target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is missing");
    }

    @Test
    void explainsATooLongSocketPath() {
        Path tooLong = dir.resolve("x".repeat(120) + ".sock");
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        assertThatThrownBy(() -> UnixToTcpForwarder.open(tooLong, target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("limited to 107 bytes");
    }

    @Test
    void reportsAPortInUseWithTheAddress() throws Exception {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress address = (InetSocketAddress) taken.getLocalAddress();
            assertThatThrownBy(() -> TcpRelay.open(address, address))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot listen on tcp:")
                    .hasMessageContaining(String.valueOf(address.getPort()));
        }
    }

    @Test
    void refusesAnUnresolvedTarget() {
        InetSocketAddress bogus = InetSocketAddress.createUnresolved("no-such-host.invalid", 80);
        assertThatThrownBy(
                        () ->
                                TcpRelay.open(
                                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                        bogus))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no-such-host.invalid")
                .hasMessageContaining("does not resolve");
    }
}
