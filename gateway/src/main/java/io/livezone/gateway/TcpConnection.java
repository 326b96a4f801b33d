package io.livezone.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One client's TCP connection through the gateway: the accepted client socket, an upstream socket
 * to the zone, and a pump each way. Stream chunks and each side's end of stream travel the same
 * pipeline as datagrams, so holding and delaying keep their order. Backpressure instead of loss: a
 * side is no longer read while too many of its bytes are inside the gateway (on the delay line,
 * held, or waiting for a slow receiver) or while the zone's hold buffer is full.
 *
 * <p>The upstream connection is made once, to where the zone is when the client connects (or, if it
 * connects during a hold, to where the zone is released to). A later re-target does not move it: a
 * zone VM keeps its IP and TCP state through a live migration, so the connection survives the move
 * at the same address; if the address changes, existing connections keep talking to the old one
 * until it closes them, and only new connections go to the new one.
 */
final class TcpConnection extends Flow {
    private static final Logger log = LoggerFactory.getLogger(TcpConnection.class);

    /** Bytes of one direction inside the gateway, and those waiting for the receiving socket. */
    private static final class Side {
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
        long buffered;
        boolean readEnded;
        boolean endQueued;
        boolean shutDown;
    }

    private final SocketChannel client;
    private final InetSocketAddress clientAddress;
    private final Selector selector;
    private final ByteBuffer readBuffer;
    private final long bufferLimit;
    private final Stage toZone;
    private final Stage toClient;
    private final Side inbound = new Side();
    private final Side outbound = new Side();
    private SocketChannel upstream;
    private SelectionKey clientKey;
    private SelectionKey upstreamKey;
    private boolean connected;
    private boolean closed;

    /** The WELCOME rewriter's state; null when rewriting is off or done. */
    WelcomeRewriter.LineScan welcomeScan;

    TcpConnection(
            ZoneRoute zone,
            String region,
            SocketChannel client,
            InetSocketAddress clientAddress,
            Selector selector,
            ByteBuffer readBuffer,
            long bufferLimit,
            Stage toZone,
            Stage toClient) {
        super(zone, region);
        this.client = client;
        this.clientAddress = clientAddress;
        this.selector = selector;
        this.readBuffer = readBuffer;
        this.bufferLimit = bufferLimit;
        this.toZone = toZone;
        this.toClient = toClient;
    }

    /** Starts reading the client; its bytes are held or queued until the upstream connects. */
    void start() throws IOException {
        client.configureBlocking(false);
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        clientKey = client.register(selector, 0, handler(client));
        updateInterest();
    }

    /** Opens the upstream connection to {@code zoneAddress}. */
    void connect(InetSocketAddress zoneAddress) {
        if (closed || upstream != null) {
            return;
        }
        try {
            upstream = SocketChannel.open();
            upstream.configureBlocking(false);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
            connected = upstream.connect(zoneAddress);
            upstreamKey = upstream.register(selector, 0, handler(upstream));
            if (connected) {
                flush(inbound, upstream);
            }
            updateInterest();
        } catch (IOException e) {
            upstreamFailed(e);
        }
    }

    @Override
    InetSocketAddress clientAddress() {
        return clientAddress;
    }

    private EventLoop.IoHandler handler(SocketChannel channel) {
        return new EventLoop.IoHandler() {
            @Override
            public void ready(SelectionKey key) throws IOException {
                if (channel == upstream) {
                    upstreamReady(key);
                } else {
                    clientReady(key);
                }
                updateInterest();
            }

            @Override
            public void failed(Exception cause) {
                if (channel == upstream) {
                    upstreamFailed(cause);
                } else {
                    log.debug("zone {}: TCP client failed: {}", zone().name, cause.toString());
                    abort();
                }
            }
        };
    }

    private void clientReady(SelectionKey key) throws IOException {
        if (key.isReadable()) {
            read(client, inbound, Direction.TO_ZONE, toZone);
        }
        if (!closed && key.isValid() && key.isWritable()) {
            flush(outbound, client);
        }
    }

    private void upstreamReady(SelectionKey key) throws IOException {
        if (key.isConnectable()) {
            try {
                connected = upstream.finishConnect();
            } catch (IOException e) {
                upstreamFailed(e);
                return;
            }
            if (connected) {
                flush(inbound, upstream);
            }
        }
        if (!closed && key.isValid() && key.isReadable()) {
            read(upstream, outbound, Direction.TO_CLIENT, toClient);
        }
        if (!closed && key.isValid() && key.isWritable() && connected) {
            flush(inbound, upstream);
        }
    }

    private void read(SocketChannel from, Side side, Direction direction, Stage pipeline)
            throws IOException {
        long room = room(side, direction);
        if (room <= 0 || side.readEnded) {
            return;
        }
        readBuffer.clear();
        readBuffer.limit((int) Math.min(readBuffer.capacity(), room));
        int n = from.read(readBuffer);
        if (n < 0) {
            side.readEnded = true;
            pipeline.accept(Packet.endOfStream(this, direction));
            return;
        }
        if (n == 0) {
            return;
        }
        readBuffer.flip();
        side.buffered += n;
        pipeline.accept(Packet.chunk(this, direction, readBuffer));
    }

    /** How many more bytes this direction may read now. */
    private long room(Side side, Direction direction) {
        long room = bufferLimit - side.buffered;
        ZoneHold hold = zone().hold();
        if (direction == Direction.TO_ZONE && hold != null) {
            room = Math.min(room, hold.roomBytes());
        }
        return room;
    }

    /** A stage changed the size of bytes already counted as inside the gateway. */
    void adjustBuffered(Direction direction, long delta) {
        (direction == Direction.TO_ZONE ? inbound : outbound).buffered += delta;
    }

    @Override
    boolean write(Packet packet) {
        boolean toZone = packet.direction == Direction.TO_ZONE;
        Side side = toZone ? inbound : outbound;
        SocketChannel target = toZone ? upstream : client;
        boolean canWrite = !toZone || connected;
        try {
            if (packet.isEndOfStream()) {
                side.endQueued = true;
            } else if (side.pending.isEmpty() && canWrite) {
                ByteBuffer payload = packet.payload();
                side.buffered -= target.write(payload);
                if (payload.hasRemaining()) {
                    side.pending.add(packet.detach().payload());
                }
            } else {
                side.pending.add(packet.detach().payload());
            }
            if (canWrite) {
                flush(side, target);
            }
            updateInterest();
            return true;
        } catch (IOException e) {
            log.debug("zone {}: TCP write failed: {}", zone().name, e.toString());
            abort();
            return false;
        }
    }

    private void flush(Side side, SocketChannel target) throws IOException {
        while (!side.pending.isEmpty()) {
            ByteBuffer head = side.pending.peek();
            side.buffered -= target.write(head);
            if (head.hasRemaining()) {
                return;
            }
            side.pending.poll();
        }
        if (side.endQueued && !side.shutDown) {
            side.shutDown = true;
            target.shutdownOutput();
            if (inbound.shutDown && outbound.shutDown) {
                close();
            }
        }
    }

    /** Re-evaluates what to wait for on both sockets (after any change of buffers or hold). */
    void updateInterest() {
        if (closed) {
            return;
        }
        int clientOps = 0;
        if (!inbound.readEnded && room(inbound, Direction.TO_ZONE) > 0) {
            clientOps |= SelectionKey.OP_READ;
        }
        if (!outbound.pending.isEmpty()) {
            clientOps |= SelectionKey.OP_WRITE;
        }
        clientKey.interestOps(clientOps);
        if (upstreamKey != null) {
            int upstreamOps;
            if (!connected) {
                upstreamOps = SelectionKey.OP_CONNECT;
            } else {
                upstreamOps = 0;
                if (!outbound.readEnded && room(outbound, Direction.TO_CLIENT) > 0) {
                    upstreamOps |= SelectionKey.OP_READ;
                }
                if (!inbound.pending.isEmpty()) {
                    upstreamOps |= SelectionKey.OP_WRITE;
                }
            }
            upstreamKey.interestOps(upstreamOps);
        }
    }

    private void upstreamFailed(Exception cause) {
        log.info(
                "zone {}: TCP upstream {} failed ({}); closing the client's connection",
                zone().name,
                zone().location() == null ? "(none)" : zone().location().tcp(),
                cause.toString());
        zone().counters.dropped(ZoneCounters.DropReason.UPSTREAM_FAILED).increment();
        abort();
    }

    @Override
    boolean isClosed() {
        return closed;
    }

    /**
     * Ends both sockets at once with a reset: the other side failed, so the client must not take a
     * truncated stream for a complete one.
     */
    void abort() {
        if (closed) {
            return;
        }
        try {
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException e) {
            log.debug("setting SO_LINGER failed", e);
        }
        close();
    }

    /** Closes both sockets (after both ends were shut down, or on abort or gateway close). */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(client);
        if (upstream != null) {
            closeQuietly(upstream);
        }
        ZoneRoute zone = zone();
        zone.awaitingUpstream.remove(this);
        if (zone.connections.remove(this)) {
            zone.counters.tcpConnections.decrementAndGet();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a socket failed", e);
        }
    }
}
