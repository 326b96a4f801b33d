package io.livezone.link;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** A test server behind one kind of tunnel; clients connect to {@link #entry()}. */
record Rig(TestServer server, Tunnel tunnel, SocketAddress entry) implements AutoCloseable {
    enum Kind {
        TCP_RELAY,
        UNIX_TO_TCP,
        TCP_TO_UNIX;

        Rig open(Path dir, TestServer.Handler handler, LinkPair links) throws IOException {
            InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            return switch (this) {
                case TCP_RELAY -> {
                    TestServer server = TestServer.tcp(handler);
                    TcpRelay relay = TcpRelay.open(anyPort, server.inetAddress(), links);
                    yield new Rig(server, relay, relay.listenAddress());
                }
                case UNIX_TO_TCP -> {
                    TestServer server = TestServer.tcp(handler);
                    Path socket = dir.resolve("entry.sock");
                    UnixToTcpForwarder f =
                            UnixToTcpForwarder.open(socket, server.inetAddress(), links);
                    yield new Rig(server, f, UnixDomainSocketAddress.of(socket));
                }
                case TCP_TO_UNIX -> {
                    TestServer server = TestServer.unix(dir.resolve("target.sock"), handler);
                    TcpToUnixForwarder f =
                            TcpToUnixForwarder.open(anyPort, server.unixPath(), links);
                    yield new Rig(server, f, f.listenAddress());
                }
            };
        }
    }

    static Rig open(Kind kind, Path dir, TestServer.Handler handler) throws IOException {
        return kind.open(dir, handler, LinkPair.DIRECT);
    }

    SocketChannel connect() throws IOException {
        return Streams.connect(entry);
    }

    @Override
    public void close() throws IOException {
        tunnel.close();
        server.close();
    }
}
