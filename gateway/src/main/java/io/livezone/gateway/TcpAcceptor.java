package io.livezone.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.BiConsumer;

/** The zone's stable TCP address: accepts clients and hands each new connection on. */
final class TcpAcceptor implements EventLoop.IoHandler {
    private static final Logger log = LoggerFactory.getLogger(TcpAcceptor.class);
    private static final int MAX_ACCEPTS_PER_WAKEUP = 64;

    private final ZoneRoute zone;
    final ServerSocketChannel channel;
    private final BiConsumer<ZoneRoute, SocketChannel> onAccept;

    TcpAcceptor(
            ZoneRoute zone,
            ServerSocketChannel channel,
            BiConsumer<ZoneRoute, SocketChannel> onAccept) {
        this.zone = zone;
        this.channel = channel;
        this.onAccept = onAccept;
    }

    @Override
    public void ready(SelectionKey key) throws IOException {
        for (int i = 0; i < MAX_ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel client = channel.accept();
            if (client == null) {
                return;
            }
            onAccept.accept(zone, client);
        }
    }

    @Override
    public void failed(Exception cause) {
        // E.g. out of file descriptors: this accept failed, the listener stays.
        log.warn("zone {}: accepting a TCP client failed: {}", zone.name, cause.toString());
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a TCP listener failed", e);
        }
    }
}
