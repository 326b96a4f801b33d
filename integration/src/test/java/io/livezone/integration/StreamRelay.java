package io.livezone.integration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A migration stream's path for tests, shaped like the agents' tunnels: source QEMU → unix socket →
 * TCP on 127.0.0.1 → unix socket → destination QEMU (QEMU runs in the zone network's namespace,
 * where this JVM's loopback is out of reach, but both see the file system). The source-to-
 * destination direction is capped in rate, so that a post-copy lasts seconds. {@link #blackhole()}
 * stops carrying bytes in every direction but keeps every socket open, as a firewall that drops
 * packets does: neither QEMU sees an error, their sockets just wait.
 */
final class StreamRelay implements AutoCloseable {
    private static final int CHUNK = 16 << 10;

    private final Path entry;
    private final Path target;
    private final long bytesPerSecond;
    private final ServerSocketChannel unixServer;
    private final ServerSocketChannel tcpServer;
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean blackholed;
    private volatile boolean closed;

    private StreamRelay(Path entry, Path target, long bytesPerSecond) throws IOException {
        this.entry = entry;
        this.target = target;
        this.bytesPerSecond = bytesPerSecond;
        unixServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        unixServer.bind(UnixDomainSocketAddress.of(entry));
        tcpServer = ServerSocketChannel.open();
        tcpServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        start("relay-accept", this::acceptLoop);
    }

    /** A relay the source reaches at {@code entry}, leading to the destination's {@code target}. */
    static StreamRelay between(Path entry, Path target, long bytesPerSecond) throws IOException {
        return new StreamRelay(entry, target, bytesPerSecond);
    }

    /** The URI a source QEMU migrates to. */
    String uri() {
        return "unix:" + entry;
    }

    /** From now on no byte crosses in any direction; sockets stay open. */
    void blackhole() {
        blackholed = true;
    }

    private void acceptLoop() {
        try {
            while (!closed) {
                SocketChannel source = unixServer.accept();
                SocketChannel tcpOut = SocketChannel.open(tcpServer.getLocalAddress());
                SocketChannel tcpIn = tcpServer.accept();
                SocketChannel destination = SocketChannel.open(StandardProtocolFamily.UNIX);
                destination.connect(UnixDomainSocketAddress.of(target));
                open.addAll(List.of(source, tcpOut, tcpIn, destination));
                start("relay-src-tcp", () -> pump(source, tcpOut, bytesPerSecond));
                start("relay-tcp-dst", () -> pump(tcpIn, destination, 0));
                start("relay-dst-tcp", () -> pump(destination, tcpIn, 0));
                start("relay-tcp-src", () -> pump(tcpOut, source, 0));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void start(String name, Runnable r) {
        threads.add(Thread.ofPlatform().daemon().name(name).start(r));
    }

    private void pump(SocketChannel in, SocketChannel out, long rate) {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long start = System.nanoTime();
        long sent = 0;
        try {
            while (!closed) {
                if (blackholed) {
                    Thread.sleep(50);
                    continue;
                }
                buf.clear();
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    if (blackholed) {
                        Thread.sleep(50); // what was read stays here: lost on the wire
                        continue;
                    }
                    out.write(buf);
                }
                sent += n;
                if (rate > 0) {
                    long wait = start + sent * 1_000_000_000L / rate - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            if (!blackholed) {
                out.shutdownOutput();
            }
        } catch (IOException | InterruptedException e) {
            // the other side or close() ended it
        }
    }

    @Override
    public void close() {
        closed = true;
        open.add(unixServer);
        open.add(tcpServer);
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        threads.forEach(Thread::interrupt);
        try {
            Files.deleteIfExists(entry);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
