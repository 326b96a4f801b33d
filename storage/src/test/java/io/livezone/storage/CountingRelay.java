package io.livezone.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands in for the control plane's relay of an NBD socket between hosts: accepts on one unix
 * socket, connects each client to another, and counts the bytes in each direction.
 */
final class CountingRelay implements AutoCloseable {
    private final Path socket;
    private final Path target;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<SocketChannel> channels = new CopyOnWriteArrayList<>();
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    private final AtomicLong toTarget = new AtomicLong();
    private final AtomicLong fromTarget = new AtomicLong();

    private CountingRelay(Path socket, Path target) throws IOException {
        this.socket = socket;
        this.target = target;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.acceptor = Thread.ofPlatform().daemon().name("relay-accept").start(this::acceptLoop);
    }

    static CountingRelay start(Path socket, Path target) throws IOException {
        return new CountingRelay(socket, target);
    }

    /** Where clients connect, in place of the target. */
    Path socket() {
        return socket;
    }

    /** Bytes clients sent to the target: for an NBD mirror, the data written to the export. */
    long bytesToTarget() {
        return toTarget.get();
    }

    long bytesFromTarget() {
        return fromTarget.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(target));
                channels.add(client);
                channels.add(upstream);
                pumps.add(pump(client, upstream, toTarget));
                pumps.add(pump(upstream, client, fromTarget));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static Thread pump(SocketChannel from, SocketChannel to, AtomicLong counter) {
        return Thread.ofPlatform()
                .daemon()
                .name("relay-pump")
                .start(
                        () -> {
                            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
                            try {
                                while (from.read(buf) >= 0) {
                                    buf.flip();
                                    counter.addAndGet(buf.remaining());
                                    while (buf.hasRemaining()) {
                                        to.write(buf);
                                    }
                                    buf.clear();
                                }
                                to.shutdownOutput();
                            } catch (IOException e) {
                                closeQuietly(from);
                                closeQuietly(to);
                            }
                        });
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(5000);
            for (SocketChannel ch : channels) {
                closeQuietly(ch);
            }
            for (Thread t : pumps) {
                t.join(5000);
            }
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
