package io.livezone.agent;

import io.livezone.core.EnvironmentException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.BaseImageSend;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.http.ApiException;
import io.livezone.link.UnixToTcpForwarder;
import io.livezone.storage.CachedBaseImage;
import io.livezone.storage.ImageFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Moves base images between the caches of two sites over the host network. The receiver listens on
 * a TCP port, reads one image to the end of the stream, checks its hash and answers one line
 * ({@code OK} or {@code ERR <why>}); the sender pushes the file through the emulated link to the
 * receiver's site (the same link its zones' migrations take, so they share its bandwidth) and
 * returns once the receiver has answered.
 */
final class BaseImageShipping {
    private static final Logger log = LoggerFactory.getLogger(BaseImageShipping.class);
    private static final Duration RECEIVE_TIMEOUT = Duration.ofMinutes(30);

    private final HostDisks disks;
    private final StreamTunnels tunnels;
    private final String site;
    private final InetAddress address;
    private final Path socketDir;

    BaseImageShipping(
            HostDisks disks,
            StreamTunnels tunnels,
            String site,
            InetAddress address,
            Path socketDir) {
        this.disks = disks;
        this.tunnels = tunnels;
        this.site = site;
        this.address = address;
        this.socketDir = socketDir;
    }

    TransferTicket receive(BaseImageInfo image) {
        if (disks.cache().find(image.sha256()).isPresent()) {
            return new TransferTicket(site, address.getHostAddress(), 0, true);
        }
        ImageFormat format = ImageFormat.fromQemuName(image.format());
        ServerSocketChannel server;
        try {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(address, 0), 1);
        } catch (IOException e) {
            throw new EnvironmentException("cannot listen for a base image: " + e.getMessage(), e);
        }
        int port = server.socket().getLocalPort();
        Thread.ofVirtual()
                .name("receive-base-" + image.name())
                .start(() -> acceptOne(server, image, format));
        // Nobody came: stop listening after a while.
        Thread.ofVirtual()
                .start(
                        () -> {
                            try {
                                Thread.sleep(RECEIVE_TIMEOUT.toMillis());
                            } catch (InterruptedException ignored) {
                                // shutting down
                            }
                            closeQuietly(server);
                        });
        log.info("waiting for base image {} on port {}", image.name(), port);
        return new TransferTicket(site, address.getHostAddress(), port, false);
    }

    private void acceptOne(ServerSocketChannel server, BaseImageInfo image, ImageFormat format) {
        try (server;
                SocketChannel ch = server.accept()) {
            String answer;
            try {
                InputStream in = Channels.newInputStream(ch);
                CachedBaseImage cached = disks.cache().receive(image.sha256(), format, in);
                answer = "OK " + cached.bytesTransferred();
                log.info(
                        "received base image {} ({} bytes)",
                        image.name(),
                        cached.bytesTransferred());
            } catch (RuntimeException e) {
                answer = "ERR " + e.getMessage().replace('\n', ' ');
                log.warn("receiving base image {} failed: {}", image.name(), e.getMessage());
            }
            ByteBuffer reply = ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8));
            while (reply.hasRemaining()) {
                ch.write(reply);
            }
        } catch (IOException e) {
            log.debug("base image receiver closed: {}", e.getMessage());
        }
    }

    StorageTransfer send(BaseImageSend request) {
        CachedBaseImage image =
                disks.cache()
                        .find(request.sha256())
                        .orElseThrow(
                                () ->
                                        ApiException.notFound(
                                                "base image "
                                                        + request.sha256()
                                                        + " is not cached at this site"));
        if (request.to().alreadyCached()) {
            return new StorageTransfer("base", 0, 0, 0);
        }
        long t0 = System.nanoTime();
        Path socket =
                socketDir.resolve(
                        "b"
                                + request.sha256().substring(0, 8)
                                + "-"
                                + Integer.toHexString(ThreadLocalRandom.current().nextInt())
                                + ".out");
        try (UnixToTcpForwarder tunnel =
                tunnels.connectFrom(
                        socket,
                        request.to().address(),
                        request.to().port(),
                        request.to().site(),
                        request.link())) {
            String answer;
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    FileChannel file = FileChannel.open(image.path())) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                long size = file.size();
                for (long sent = 0; sent < size; ) {
                    sent += file.transferTo(sent, size - sent, ch);
                }
                ch.shutdownOutput();
                answer = readLine(ch);
            } catch (IOException e) {
                throw new LiveZoneException(
                        "sending base image "
                                + request.sha256()
                                + " to "
                                + request.to().address()
                                + " failed: "
                                + e.getMessage(),
                        e);
            }
            if (!answer.startsWith("OK")) {
                throw new LiveZoneException(
                        "the receiver of base image "
                                + request.sha256()
                                + " refused it: "
                                + answer.replaceFirst("^ERR ", ""));
            }
            var stats = tunnel.stats();
            return new StorageTransfer(
                    "base",
                    stats.bytesOutbound() + stats.bytesInbound(),
                    image.path().toFile().length(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static String readLine(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            if (buf.position() > 0 && buf.get(buf.position() - 1) == '\n') {
                break;
            }
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
