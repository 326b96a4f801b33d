package io.livezone.link;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The far end of a tunnel in tests: accepts on loopback or a unix socket, one thread a peer. */
final class TestServer implements AutoCloseable {
    interface Handler {
        void handle(SocketChannel peer) throws Exception;
    }

    /** Sends back what it reads, then ends its side when the peer ends its own. */
    static final Handler ECHO =
            peer -> {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 * 1024);
                while (peer.read(b) >= 0) {
                    Streams.writeFully(peer, b.flip());
                    b.clear();
                }
                peer.shutdownOutput();
            };

    private final ServerSocketChannel listener;
    private final Handler handler;
    private final Path unixPath;
    private final Set<SocketChannel> peers = ConcurrentHashMap.newKeySet();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private TestServer(ServerSocketChannel listener, Handler handler, Path unixPath) {
        this.listener = listener;
        this.handler = handler;
        this.unixPath = unixPath;
        Thread.ofVirtual().start(this::acceptLoop);
    }

    static TestServer tcp(Handler handler) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new TestServer(ch, handler, null);
    }

    static TestServer unix(Path path, Handler handler) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(path));
        return new TestServer(ch, handler, path);
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel peer;
            try {
                peer = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                failures.add(e);
                return;
            }
            peers.add(peer);
            Thread.ofVirtual()
                    .start(
                            () -> {
                                try (peer) {
                                    handler.handle(peer);
                                } catch (Throwable t) {
                                    failures.add(t);
                                } finally {
                                    peers.remove(peer);
                                }
                            });
        }
    }

    SocketAddress address() throws IOException {
        return listener.getLocalAddress();
    }

    InetSocketAddress inetAddress() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    Path unixPath() {
        return unixPath;
    }

    /** What the handlers threw; tests assert it is empty. */
    List<Throwable> failures() {
        return failures;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (SocketChannel p : peers) {
            p.close();
        }
        if (unixPath != null) {
            Files.deleteIfExists(unixPath);
        }
    }
}
