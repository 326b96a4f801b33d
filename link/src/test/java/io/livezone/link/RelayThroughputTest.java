package io.livezone.link;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures one bulk stream through a {@link TcpRelay} on loopback and logs MB/s. It asserts only
 * that every byte arrived: speed depends on the machine and its load, so it is reported, not
 * tested.
 */
class RelayThroughputTest {
    private static final Logger log = LoggerFactory.getLogger(RelayThroughputTest.class);
    private static final long BYTES = 512L << 20;

    @Test
    void measuresOneStreamThroughAnUnlimitedRelay() throws Exception {
        measure("warm-up (JIT), not a result", LinkPair.DIRECT);
        measure("direct (no relay)", null);
        measure("TcpRelay, LinkPair.DIRECT", LinkPair.DIRECT);
        LinkProfile delayOnly = LinkProfile.delay(Duration.ofMillis(1), Duration.ZERO);
        measure(
                "TcpRelay, 1 ms emulated delay",
                LinkPair.of(
                        new EmulatedLink("out", delayOnly, 1),
                        new EmulatedLink("in", delayOnly, 2)));
    }

    private static void measure(String what, LinkPair links) throws Exception {
        CompletableFuture<Long> received = new CompletableFuture<>();
        TestServer.Handler sink =
                peer -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
                    long total = 0;
                    int n;
                    while ((n = peer.read(b)) >= 0) {
                        total += n;
                        b.clear();
                    }
                    received.complete(total);
                };
        InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (TestServer server = TestServer.tcp(sink);
                TcpRelay relay =
                        TcpRelay.open(
                                anyPort,
                                server.inetAddress(),
                                links == null ? LinkPair.DIRECT : links)) {
            InetSocketAddress entry = links == null ? server.inetAddress() : relay.listenAddress();
            long start = System.nanoTime();
            try (SocketChannel client = Streams.connect(entry)) {
                ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
                long left = BYTES;
                while (left > 0) {
                    b.clear().limit((int) Math.min(b.capacity(), left));
                    left -= client.write(b);
                }
                client.shutdownOutput();
                assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(BYTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            log.info(
                    "{}: {} MiB in {} s = {} MB/s",
                    what,
                    BYTES >> 20,
                    String.format("%.2f", seconds),
                    String.format("%.0f", BYTES / seconds / 1e6));
        }
    }
}
