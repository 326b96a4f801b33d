package io.livezone.link;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Listens on a unix socket (where QEMU on this host sends its migration stream or NBD requests) and
 * forwards each connection to a TCP address on another host, through the emulated links if given.
 * Closing it deletes the socket file it created.
 */
public final class UnixToTcpForwarder extends Tunnel {
    private final UnixSocketFile socket;
    private final InetSocketAddress target;

    private UnixToTcpForwarder(UnixSocketFile socket, InetSocketAddress target, LinkPair links)
            throws IOException {
        super(socket.channel(), target, links);
        this.socket = socket;
        this.target = target;
    }

    /** Forwards without emulation. */
    public static UnixToTcpForwarder open(Path socketPath, InetSocketAddress target)
            throws IOException {
        return open(socketPath, target, LinkPair.DIRECT);
    }

    /**
     * Starts listening on {@code socketPath}; a stale socket file nobody serves is replaced.
     *
     * @param links {@code outbound} carries bytes from the unix side to {@code target}
     * @throws IOException if the path is in use, not a socket, or its directory is missing
     */
    public static UnixToTcpForwarder open(Path socketPath, InetSocketAddress target, LinkPair links)
            throws IOException {
        Tunnel.requireResolved(target);
        Objects.requireNonNull(links, "links is null");
        UnixSocketFile socket = UnixSocketFile.listen(socketPath);
        UnixToTcpForwarder forwarder;
        try {
            forwarder = new UnixToTcpForwarder(socket, target, links);
        } catch (IOException | RuntimeException e) {
            Tunnel.closeQuietly(socket.channel());
            socket.delete();
            throw e;
        }
        forwarder.start();
        return forwarder;
    }

    public Path socketPath() {
        return socket.path();
    }

    public InetSocketAddress target() {
        return target;
    }

    @Override
    void releaseListenAddress() {
        socket.delete();
    }
}
