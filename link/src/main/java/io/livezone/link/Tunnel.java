package io.livezone.link;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A listening endpoint that, for each accepted connection, connects to a fixed target and copies
 * bytes both ways until both sides have ended, optionally through an emulated {@link LinkPair}.
 *
 * <p>Each connection runs on virtual threads: one per direction, or two per emulated direction
 * (reader and delay-line writer). End of stream on one side is passed on as a half-close ({@code
 * shutdownOutput}); an error on either side closes both. Closing the tunnel stops accepting and
 * closes every live connection.
 */
public abstract sealed class Tunnel implements AutoCloseable
        permits UnixToTcpForwarder, TcpToUnixForwarder, TcpRelay {
    private static final Logger log = LoggerFactory.getLogger(Tunnel.class);
    private static final Duration ACCEPT_RETRY = Duration.ofMillis(100);
    static final int BACKLOG = 128;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final ServerSocketChannel listener;
    private final SocketAddress target;
    private final LinkPair links;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytesOutbound = new LongAdder();
    private final LongAdder bytesInbound = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread acceptor;

    Tunnel(ServerSocketChannel listener, SocketAddress target, LinkPair links) throws IOException {
        this.listener = Objects.requireNonNull(listener, "listener is null");
        this.target = Objects.requireNonNull(target, "target is null");
        this.links = Objects.requireNonNull(links, "links is null");
        this.name = describe(listener.getLocalAddress()) + " -> " + describe(target);
    }

    /** Starts accepting; called once by the factory methods, after construction. */
    final void start() {
        acceptor = Thread.ofVirtual().name("accept " + name).start(this::acceptLoop);
        log.debug("{}: listening{}", name, links.isDirect() ? "" : " through " + links);
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel client;
            try {
                client = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed.get()) {
                    return;
                }
                // Typically out of file descriptors: back off instead of spinning.
                log.warn("{}: accept failed, retrying: {}", name, e.toString());
                try {
                    Thread.sleep(ACCEPT_RETRY);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            try {
                configure(client);
            } catch (IOException e) {
                log.debug("{}: dropping a connection that failed setup: {}", name, e.toString());
                closeQuietly(client);
                continue;
            }
            // Counted only once it is in the set: whoever sees it accepted also sees it open
            // until it ends (a relay that ends with its stream relies on that).
            Connection connection = new Connection(this, client, accepted.get() + 1);
            connections.add(connection);
            accepted.incrementAndGet();
            if (closed.get()) {
                connection.close();
                return;
            }
            Thread.ofVirtual().name("connect " + name).start(connection::run);
        }
    }

    SocketChannel connectTarget() throws IOException {
        SocketChannel channel;
        try {
            if (target instanceof InetSocketAddress) {
                // Without a timeout a host that drops SYNs holds the accepted peer for minutes.
                channel = SocketChannel.open();
                try {
                    channel.socket().connect(target, (int) CONNECT_TIMEOUT.toMillis());
                } catch (IOException | RuntimeException e) {
                    closeQuietly(channel);
                    throw e;
                }
            } else {
                channel = SocketChannel.open(target);
            }
        } catch (IOException e) {
            throw new IOException("cannot connect to " + describe(target) + ": " + reason(e), e);
        }
        try {
            configure(channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw e;
        }
        return channel;
    }

    private static void configure(SocketChannel channel) throws IOException {
        if (channel.getLocalAddress() instanceof InetSocketAddress) {
            // Request/response traffic (NBD) must not wait for Nagle on top of emulated latency.
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    void targetUnreachable(String connectionName, IOException e) {
        failed.increment();
        log.warn("{}: dropping the accepted connection: {}", connectionName, e.getMessage());
    }

    void connectionClosed(Connection connection) {
        connections.remove(connection);
    }

    LongAdder outboundCounter() {
        return bytesOutbound;
    }

    LongAdder inboundCounter() {
        return bytesInbound;
    }

    /** {@code listen -> target}, e.g. {@code unix:/run/lz/mig.sock -> tcp:/10.0.0.2:4000}. */
    public String name() {
        return name;
    }

    /** The emulated links this tunnel's connections pass through. */
    public LinkPair links() {
        return links;
    }

    /** The address each accepted connection is forwarded to. */
    public SocketAddress targetAddress() {
        return target;
    }

    public TunnelStats stats() {
        long buffered = 0;
        for (Connection c : connections) {
            buffered += c.bufferedBytes();
        }
        return new TunnelStats(
                accepted.get(),
                connections.size(),
                failed.sum(),
                bytesOutbound.sum(),
                bytesInbound.sum(),
                buffered);
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Stops accepting, closes every live connection (both sides) and releases the listening
     * address. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            listener.close();
        } catch (IOException e) {
            log.debug("{}: closing the listener: {}", name, e.toString());
        }
        Thread a = acceptor;
        if (a != null) {
            try {
                a.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Connection c : List.copyOf(connections)) {
            c.close();
        }
        releaseListenAddress();
        log.debug("{}: closed", name);
    }

    /** Called last by {@link #close()}; the unix listener deletes its socket file here. */
    void releaseListenAddress() {}

    static String describe(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress unix) {
            return "unix:" + unix.getPath();
        }
        if (address instanceof InetSocketAddress inet) {
            return "tcp:" + inet.getHostString() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** The OS's words for an I/O failure ("Connection refused"), or the exception's name. */
    static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static ServerSocketChannel listenTcp(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "listen address is null");
        if (address.isUnresolved()) {
            throw new IOException(
                    "cannot listen on " + describe(address) + ": host name does not resolve");
        }
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address, BACKLOG);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IOException("cannot listen on " + describe(address) + ": " + reason(e), e);
        }
        return channel;
    }

    static InetSocketAddress requireResolved(InetSocketAddress target) throws IOException {
        Objects.requireNonNull(target, "target is null");
        if (target.isUnresolved()) {
            throw new IOException(
                    "cannot forward to " + describe(target) + ": host name does not resolve");
        }
        return target;
    }

    static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Best effort: nothing left to do with a socket that will not close.
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }
}
