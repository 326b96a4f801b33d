package io.livezone.link;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Listens on a TCP address (where another host's agent connects) and forwards each connection to a
 * unix socket on this host (the incoming QEMU's migration socket, or an NBD server's).
 */
public final class TcpToUnixForwarder extends Tunnel {
    private final InetSocketAddress listenAddress;
    private final Path targetSocket;

    private TcpToUnixForwarder(ServerSocketChannel listener, Path targetSocket, LinkPair links)
            throws IOException {
        super(listener, UnixDomainSocketAddress.of(targetSocket), links);
        this.listenAddress = (InetSocketAddress) listener.getLocalAddress();
        this.targetSocket = targetSocket;
    }

    /** Forwards without emulation. */
    public static TcpToUnixForwarder open(InetSocketAddress listen, Path targetSocket)
            throws IOException {
        return open(listen, targetSocket, LinkPair.DIRECT);
    }

    /**
     * Starts listening; port 0 picks a free port, see {@link #port()}. The target socket need not
     * exist yet: it is connected to per accepted connection.
     *
     * @param links {@code outbound} carries bytes from the TCP side to the unix socket
     */
    public static TcpToUnixForwarder open(
            InetSocketAddress listen, Path targetSocket, LinkPair links) throws IOException {
        Objects.requireNonNull(targetSocket, "target socket path is null");
        Objects.requireNonNull(links, "links is null");
        ServerSocketChannel listener = Tunnel.listenTcp(listen);
        TcpToUnixForwarder forwarder;
        try {
            forwarder = new TcpToUnixForwarder(listener, targetSocket, links);
        } catch (IOException | RuntimeException e) {
            Tunnel.closeQuietly(listener);
            throw e;
        }
        forwarder.start();
        return forwarder;
    }

    /** The bound address, with the real port when opened on port 0. */
    public InetSocketAddress listenAddress() {
        return listenAddress;
    }

    public int port() {
        return listenAddress.getPort();
    }

    public Path targetSocket() {
        return targetSocket;
    }
}
