package io.livezone.link;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;

/**
 * Listens on a TCP address and forwards each connection to another TCP address, through the
 * emulated links if given: the hop between two sites when neither end is a unix socket.
 */
public final class TcpRelay extends Tunnel {
    private final InetSocketAddress listenAddress;
    private final InetSocketAddress target;

    private TcpRelay(ServerSocketChannel listener, InetSocketAddress target, LinkPair links)
            throws IOException {
        super(listener, target, links);
        this.listenAddress = (InetSocketAddress) listener.getLocalAddress();
        this.target = target;
    }

    /** Relays without emulation. */
    public static TcpRelay open(InetSocketAddress listen, InetSocketAddress target)
            throws IOException {
        return open(listen, target, LinkPair.DIRECT);
    }

    /**
     * Starts listening; port 0 picks a free port, see {@link #port()}.
     *
     * @param links {@code outbound} carries bytes from the accepted side to {@code target}
     */
    public static TcpRelay open(InetSocketAddress listen, InetSocketAddress target, LinkPair links)
            throws IOException {
        Tunnel.requireResolved(target);
        Objects.requireNonNull(links, "links is null");
        ServerSocketChannel listener = Tunnel.listenTcp(listen);
        TcpRelay relay;
        try {
            relay = new TcpRelay(listener, target, links);
        } catch (IOException | RuntimeException e) {
            Tunnel.closeQuietly(listener);
            throw e;
        }
        relay.start();
        return relay;
    }

    /** The bound address, with the real port when opened on port 0. */
    public InetSocketAddress listenAddress() {
        return listenAddress;
    }

    public int port() {
        return listenAddress.getPort();
    }

    public InetSocketAddress target() {
        return target;
    }
}
