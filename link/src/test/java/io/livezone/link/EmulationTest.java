package io.livezone.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Streams through relays with emulated links: what a migration between sites experiences. */
class EmulationTest {
    private static final Logger log = LoggerFactory.getLogger(EmulationTest.class);
    private static final long MS = 1_000_000L;
    private static final long TEN_MBIT = 1_250_000; // bytes/s
    private static final InetSocketAddress ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static LinkPair pair(LinkProfile profile) {
        return LinkPair.of(new EmulatedLink("out", profile, 1), new EmulatedLink("in", profile, 2));
    }

    @Test
    void aHundredMsOneWayDelayDeliversNoByteEarlierThanAHundredMsAfterItWasSent() throws Exception {
        LinkPair links = pair(LinkProfile.delay(Duration.ofMillis(100), Duration.ZERO));
        // The server stamps each 8-byte send time with its arrival time and echoes both back.
        TestServer.Handler stampAndEcho =
                peer -> {
                    ByteBuffer in = ByteBuffer.allocate(8);
                    while (Streams.readFully(peer, in.clear())) {
                        long arrived = System.nanoTime();
                        ByteBuffer out = ByteBuffer.allocate(16);
                        out.putLong(in.getLong(0)).putLong(arrived).flip();
                        Streams.writeFully(peer, out);
                    }
                };
        try (TestServer server = TestServer.tcp(stampAndEcho);
                TcpRelay relay = TcpRelay.open(ANY_PORT, server.inetAddress(), links);
                SocketChannel client = Streams.connect(relay.listenAddress())) {
            for (int i = 0; i < 10; i++) {
                ByteBuffer out = ByteBuffer.allocate(8).putLong(System.nanoTime()).flip();
                Streams.writeFully(client, out);
                Thread.sleep(7);
            }
            ByteBuffer echo = ByteBuffer.allocate(16);
            for (int i = 0; i < 10; i++) {
                assertThat(Streams.readFully(client, echo.clear())).isTrue();
                long backAt = System.nanoTime();
                long sent = echo.getLong(0);
                long arrived = echo.getLong(8);
                assertThat(arrived - sent).as("one way").isGreaterThanOrEqualTo(100 * MS);
                assertThat(backAt - sent).as("round trip").isGreaterThanOrEqualTo(200 * MS);
            }
        }
    }

    @Test
    void jitterNeverReordersAStream() throws Exception {
        LinkPair links = pair(LinkProfile.delay(Duration.ofMillis(5), Duration.ofMillis(20)));
        int messages = 400;
        CompletableFuture<long[]> delays = new CompletableFuture<>();
        TestServer.Handler checkOrder =
                peer -> {
                    long[] d = new long[messages];
                    ByteBuffer in = ByteBuffer.allocate(16);
                    for (int i = 0; i < messages; i++) {
                        if (!Streams.readFully(peer, in.clear())) {
                            delays.completeExceptionally(new AssertionError("short stream"));
                            return;
                        }
                        long seq = in.getLong(0);
                        if (seq != i) {
                            delays.completeExceptionally(
                                    new AssertionError("message " + seq + " came as #" + i));
                            return;
                        }
                        d[i] = System.nanoTime() - in.getLong(8);
                    }
                    delays.complete(d);
                };
        try (TestServer server = TestServer.tcp(checkOrder);
                TcpRelay relay = TcpRelay.open(ANY_PORT, server.inetAddress(), links);
                SocketChannel client = Streams.connect(relay.listenAddress())) {
            for (long seq = 0; seq < messages; seq++) {
                ByteBuffer m = ByteBuffer.allocate(16).putLong(seq).putLong(System.nanoTime());
                Streams.writeFully(client, m.flip());
                if (seq % 4 == 0) {
                    Thread.sleep(1); // spread sends so chunks draw different jitter
                }
            }
            long[] d = delays.get(20, TimeUnit.SECONDS);
            long min = Arrays.stream(d).min().orElseThrow();
            long max = Arrays.stream(d).max().orElseThrow();
            assertThat(min).isGreaterThanOrEqualTo(5 * MS);
            assertThat(max - min).as("jitter spread").isGreaterThan(5 * MS);
        }
    }

    /** A server that counts what it receives, and when the first byte came. */
    private static final class CountingSink implements TestServer.Handler {
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void handle(SocketChannel peer) throws Exception {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            int n;
            while ((n = peer.read(b.clear())) >= 0) {
                bytes.addAndGet(n);
            }
        }
    }

    /** Writes as fast as the tunnel lets it until interrupted or closed. */
    private static void flood(SocketChannel client) {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                client.write(b.clear());
            }
        } catch (IOException e) {
            // The test closed the socket: done.
        }
    }

    @Test
    void throughputOverATenMbitLinkStaysBelowTenAndAHalfMbit() throws Exception {
        LinkPair links = pair(LinkProfile.rate(TEN_MBIT));
        CountingSink sink = new CountingSink();
        try (TestServer server = TestServer.tcp(sink);
                TcpRelay relay = TcpRelay.open(ANY_PORT, server.inetAddress(), links);
                SocketChannel client = Streams.connect(relay.listenAddress());
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            pool.submit(() -> flood(client));
            Thread.sleep(1500);
            long received = sink.bytes.get();
            double seconds = (System.nanoTime() - start) / 1e9;
            client.close();

            double mbit = received * 8 / seconds / 1e6;
            assertThat(mbit).isLessThan(10.5).isPositive();
            assertThat(links.outbound().orElseThrow().bytesCarried())
                    .isGreaterThanOrEqualTo(received);
        }
    }

    @Test
    void twoTunnelsBetweenTheSameSitesShareTheLinksBandwidth() throws Exception {
        LinkTable table =
                LinkTable.of(
                        List.of("east", "west"),
                        Map.of(SitePair.of("east", "west"), LinkProfile.rate(TEN_MBIT)),
                        5);
        LinkPair eastToWest = table.between("east", "west");
        CountingSink migration = new CountingSink();
        CountingSink storage = new CountingSink();
        try (TestServer migrationServer = TestServer.tcp(migration);
                TestServer storageServer = TestServer.tcp(storage);
                TcpRelay migrationRelay =
                        TcpRelay.open(ANY_PORT, migrationServer.inetAddress(), eastToWest);
                TcpRelay storageRelay =
                        TcpRelay.open(ANY_PORT, storageServer.inetAddress(), eastToWest);
                SocketChannel a = Streams.connect(migrationRelay.listenAddress());
                SocketChannel b = Streams.connect(storageRelay.listenAddress());
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            pool.submit(() -> flood(a));
            pool.submit(() -> flood(b));
            Thread.sleep(1500);
            long sum = migration.bytes.get() + storage.bytes.get();
            double seconds = (System.nanoTime() - start) / 1e9;
            a.close();
            b.close();

            assertThat(sum * 8 / seconds / 1e6).as("Mbit/s of both").isLessThan(10.5);
            assertThat(migration.bytes.get()).isPositive();
            assertThat(storage.bytes.get()).isPositive();
            EmulatedLink link = table.link("east", "west").orElseThrow();
            assertThat(link.bytesCarried()).isGreaterThanOrEqualTo(sum);
            assertThat(table.link("west", "east").orElseThrow().bytesCarried()).isZero();
        }
    }

    @Test
    void aReceiverThatStopsReadingStallsTheSenderWithBoundedBuffering() throws Exception {
        long limit = 1L << 20;
        LinkProfile delay = LinkProfile.delay(Duration.ofMillis(50), Duration.ZERO);
        EmulatedLink outbound = new EmulatedLink("out", delay, 1, limit);
        LinkPair links = LinkPair.of(outbound, new EmulatedLink("in", delay, 2, limit));
        CountDownLatch startReading = new CountDownLatch(1);
        CompletableFuture<Streams.Received> received = new CompletableFuture<>();
        TestServer.Handler lazy =
                peer -> {
                    startReading.await();
                    received.complete(Streams.drain(peer));
                };
        long total = 32L << 20;
        AtomicLong written = new AtomicLong();
        try (TestServer server = TestServer.tcp(lazy);
                TcpRelay relay = TcpRelay.open(ANY_PORT, server.inetAddress(), links);
                SocketChannel client = Streams.connect(relay.listenAddress());
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> sent = pool.submit(() -> Streams.sendRandom(client, 11, total, written));

            // The sender stops making progress long before it has written everything...
            long[] previous = {-1};
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(300))
                    .until(
                            () -> {
                                long now = written.get();
                                boolean stalled = now == previous[0];
                                previous[0] = now;
                                return stalled;
                            });
            log.info(
                    "sender stalled after {} bytes; relay holds {}",
                    written.get(),
                    relay.stats().bytesBuffered());
            assertThat(written.get()).isLessThan(total);
            // ...and what the relay holds for it stays within the link's limit.
            assertThat(relay.stats().bytesBuffered())
                    .isLessThanOrEqualTo(limit + outbound.maxChunkBytes());
            assertThat(outbound.peakInFlightBytes()).isLessThanOrEqualTo(limit);

            startReading.countDown();
            assertThat(received.get(30, TimeUnit.SECONDS))
                    .isEqualTo(new Streams.Received(total, sent.get(30, TimeUnit.SECONDS)));
        }
    }
}
