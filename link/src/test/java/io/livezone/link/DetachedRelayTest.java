package io.livezone.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A relay in a process of its own: it carries one stream, then ends by itself. */
class DetachedRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final InetSocketAddress ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir Path dir;
    private final List<DetachedRelay> started = new ArrayList<>();

    @AfterEach
    void endRelays() {
        started.forEach(DetachedRelay::close);
    }

    private DetachedRelay start(Path socket, Duration wait) throws IOException {
        DetachedRelay relay = DetachedRelay.start(ANY_PORT, socket, wait);
        started.add(relay);
        return relay;
    }

    @Test
    void carriesOneStreamAndEndsWithIt() throws Exception {
        Path socket = dir.resolve("in.sock");
        try (TestServer qemu = TestServer.unix(socket, TestServer.ECHO);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            DetachedRelay relay = start(socket, WAIT);
            assertThat(relay.pid()).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(DetachedRelay.find(socket))
                    .hasValueSatisfying(
                            found -> {
                                assertThat(found.pid()).isEqualTo(relay.pid());
                                assertThat(found.port()).isEqualTo(relay.port());
                            });
            int size = 1 << 20;
            try (SocketChannel c =
                    SocketChannel.open(
                            new InetSocketAddress(
                                    InetAddress.getLoopbackAddress(), relay.port()))) {
                Future<Streams.Received> back = pool.submit(() -> Streams.drain(c));
                String sent = Streams.sendRandom(c, 7, size);
                assertThat(back.get(30, TimeUnit.SECONDS))
                        .isEqualTo(new Streams.Received(size, sent));
            }
            await().atMost(WAIT).until(() -> !relay.isAlive());
            assertThat(DetachedRelay.find(socket)).isEmpty();
            assertThat(dir.resolve("in.sock.relay")).doesNotExist();
            assertThat(qemu.failures()).isEmpty();
        }
    }

    @Test
    void isFoundWhateverTheLengthOfItsClassPath() throws Exception {
        // The JDK shows only the first 4096 characters of a command line; a cluster's class path
        // is longer than that.
        String classPath = System.getProperty("java.class.path");
        String padding = ":" + dir.resolve("x".repeat(200));
        System.setProperty("java.class.path", classPath + padding.repeat(30));
        try {
            Path socket = dir.resolve("long.sock");
            DetachedRelay relay = start(socket, WAIT);
            assertThat(DetachedRelay.find(socket)).map(DetachedRelay::pid).hasValue(relay.pid());
        } finally {
            System.setProperty("java.class.path", classPath);
        }
    }

    @Test
    void endsWhenNoClientComes() throws Exception {
        Path socket = dir.resolve("idle.sock");
        DetachedRelay relay = start(socket, Duration.ofSeconds(1));
        await().atMost(WAIT).until(() -> !relay.isAlive());
        assertThat(DetachedRelay.find(socket)).isEmpty();
    }

    @Test
    void closeEndsTheRelayAndItsStream() throws Exception {
        Path socket = dir.resolve("cut.sock");
        try (TestServer qemu = TestServer.unix(socket, TestServer.ECHO)) {
            DetachedRelay relay = start(socket, WAIT);
            try (SocketChannel c =
                    SocketChannel.open(
                            new InetSocketAddress(
                                    InetAddress.getLoopbackAddress(), relay.port()))) {
                Streams.writeFully(c, ByteBuffer.wrap(new byte[] {1, 2, 3}));
                ByteBuffer echoed = ByteBuffer.allocate(3);
                while (echoed.hasRemaining()) {
                    assertThat(c.read(echoed)).isNotNegative();
                }
                relay.close();
                assertThat(relay.isAlive()).isFalse();
                int end;
                try {
                    end = c.read(ByteBuffer.allocate(1));
                } catch (IOException reset) {
                    end = -1;
                }
                assertThat(end).isEqualTo(-1);
            }
            assertThat(DetachedRelay.find(socket)).isEmpty();
        }
    }

    @Test
    void anAddressInUseIsAClearError() throws Exception {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(ANY_PORT);
            InetSocketAddress busy = (InetSocketAddress) taken.getLocalAddress();
            Path socket = dir.resolve("busy.sock");
            assertThatThrownBy(() -> DetachedRelay.start(busy, socket, WAIT))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot listen");
            assertThat(Files.exists(dir.resolve("busy.sock.relay"))).isFalse();
        }
    }
}
