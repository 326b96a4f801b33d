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

    /**
     * How much later than the emulated delay a byte measured through real sockets may arrive:
     * generous for a busy 2-core machine, still far below a delay applied twice or in the wrong
     * unit.
     */
    private static final long SLACK = 200 * MS;

    private static final InetSocketAddress ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static LinkPair pair(LinkProfile profile) {
        return LinkPair.of(new EmulatedLink("out", profile, 1), new EmulatedLink("in", profile, 2));
    }

    @Test
    void aHundredMsOneWayDelayDeliversEveryByteAHundredMsAfterItWasSent() throws Exception {
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
            // One exchange first, untimed: connecting to the target and starting the pumps is
            // not what the delay is.
            Streams.writeFully(client, ByteBuffer.allocate(8).putLong(System.nanoTime()).flip());
            assertThat(Streams.readFully(client, ByteBuffer.allocate(16))).isTrue();
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
                assertThat(arrived - sent).as("one way").isBetween(100 * MS, 100 * MS + SLACK);
                assertThat(backAt - sent).as("round trip").isBetween(200 * MS, 200 * MS + SLACK);
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
            // Waiting behind an earlier, more jittered chunk never adds beyond latency + jitter.
            assertThat(max).isLessThanOrEqualTo(25 * MS + SLACK);
            assertThat(max - min).as("jitter spread").isGreaterThan(5 * MS);
        }
    }

    /** Bytes that arrived at one or more sinks, and when their total first reached a target. */
    private static final class Arrivals {
        final AtomicLong total = new AtomicLong();
        final CompletableFuture<Long> targetReachedAtNanos = new CompletableFuture<>();
        private final long target;

        Arrivals(long target) {
            this.target = target;
        }

        void add(long n) {
            if (total.addAndGet(n) >= target) {
                targetReachedAtNanos.complete(System.nanoTime());
            }
        }
    }

    /** A server that counts what it receives, here and in {@code arrivals}. */
    private static final class CountingSink implements TestServer.Handler {
        final AtomicLong bytes = new AtomicLong();
        private final Arrivals arrivals;

        CountingSink(Arrivals arrivals) {
            this.arrivals = arrivals;
        }

        @Override
        public void handle(SocketChannel peer) throws Exception {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            int n;
            while ((n = peer.read(b.clear())) >= 0) {
                bytes.addAndGet(n);
                arrivals.add(n);
            }
        }
    }

    /**
     * Asserts that a second's worth of bytes at 10 Mbit/s took at least a second to arrive — the
     * link serializes every chunk at its rate before the chunk can arrive, so no busy machine can
     * make this fail — and not much more: a link that ran at an eighth of its rate (bits taken for
     * bytes) would need 8 s.
     */
    private static void assertTenMbitPerSecond(long startNanos, Arrivals arrivals)
            throws Exception {
        double seconds =
                (arrivals.targetReachedAtNanos.get(30, TimeUnit.SECONDS) - startNanos) / 1e9;
        assertThat(seconds).as("seconds for 1.25 MB over 10 Mbit/s").isBetween(1.0, 4.0);
    }

    /**
     * Writes as fast as the tunnel lets it until interrupted or closed. Tests declare their pool
     * first, so that it is closed last: after the socket, whose closing ends this loop even when an
     * assertion failed.
     */
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
    void aTenMbitLinkCarriesTenMbitPerSecondAndNoMore() throws Exception {
        LinkPair links = pair(LinkProfile.rate(TEN_MBIT));
        Arrivals arrivals = new Arrivals(TEN_MBIT);
        CountingSink sink = new CountingSink(arrivals);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
                TestServer server = TestServer.tcp(sink);
                TcpRelay relay = TcpRelay.open(ANY_PORT, server.inetAddress(), links);
                SocketChannel client = Streams.connect(relay.listenAddress())) {
            long start = System.nanoTime();
            pool.submit(() -> flood(client));
            assertTenMbitPerSecond(start, arrivals);
            client.close();

            assertThat(links.outbound().orElseThrow().bytesCarried())
                    .isGreaterThanOrEqualTo(sink.bytes.get());
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
        Arrivals both = new Arrivals(TEN_MBIT);
        CountingSink migration = new CountingSink(both);
        CountingSink storage = new CountingSink(both);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
                TestServer migrationServer = TestServer.tcp(migration);
                TestServer storageServer = TestServer.tcp(storage);
                TcpRelay migrationRelay =
                        TcpRelay.open(ANY_PORT, migrationServer.inetAddress(), eastToWest);
                TcpRelay storageRelay =
                        TcpRelay.open(ANY_PORT, storageServer.inetAddress(), eastToWest);
                SocketChannel a = Streams.connect(migrationRelay.listenAddress());
                SocketChannel b = Streams.connect(storageRelay.listenAddress())) {
            long start = System.nanoTime();
            pool.submit(() -> flood(a));
            pool.submit(() -> flood(b));
            // Together, not each: the two tunnels share the one east->west link's 10 Mbit/s.
            assertTenMbitPerSecond(start, both);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> migration.bytes.get() > 0 && storage.bytes.get() > 0);
            a.close();
            b.close();

            EmulatedLink link = table.link("east", "west").orElseThrow();
            assertThat(link.bytesCarried()).isGreaterThanOrEqualTo(both.total.get());
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
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
                TestServer server = TestServer.tcp(lazy);
                TcpRelay relay = TcpRelay.open(ANY_PORT, server.inetAddress(), links);
                SocketChannel client = Streams.connect(relay.listenAddress())) {
            Future<String> sent = pool.submit(() -> Streams.sendRandom(client, 11, total, written));

            // The relay fills its window for the connection (a positive sign that back-pressure
            // is engaged), then the sender stops making progress long before it has written
            // everything...
            long[] previous = {-1};
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(300))
                    .until(
                            () -> {
                                long now = written.get();
                                boolean stalled =
                                        now == previous[0]
                                                && relay.stats().bytesBuffered() >= limit / 2;
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
