package io.livezone.agent;

import io.livezone.core.EnvironmentException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.ZoneSpec;
import io.livezone.core.cluster.HibernatedSend;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.http.ApiException;
import io.livezone.link.UnixToTcpForwarder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hibernated zones' images in this host's state folder ({@code hibernation/<zone>.img}), and their
 * transport to another host. The receiver listens on a TCP port, writes one image to a {@code
 * .part} file, renames it when the stream ends and answers {@code OK <bytes> <sha256>}; the sender
 * pushes the file through the emulated link to the receiver's site and compares the answer with
 * what it sent, so a truncated or corrupted copy is never restored.
 */
final class HibernationImages {
    private static final Logger log = LoggerFactory.getLogger(HibernationImages.class);
    private static final Duration RECEIVE_TIMEOUT = Duration.ofMinutes(30);
    private static final int CHUNK = 1 << 20;

    private final Path dir;
    private final StreamTunnels tunnels;
    private final String site;
    private final InetAddress address;
    private final Path socketDir;
    private final Map<String, ServerSocketChannel> receiving = new ConcurrentHashMap<>();

    HibernationImages(
            Path dir, StreamTunnels tunnels, String site, InetAddress address, Path socketDir) {
        this.dir = dir;
        this.tunnels = tunnels;
        this.site = site;
        this.address = address;
        this.socketDir = socketDir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new EnvironmentException("cannot create " + dir, e);
        }
    }

    /** Where the zone's image lies (or will lie) on this host. */
    Path image(String zone) {
        return dir.resolve(ZoneSpec.validateName(zone) + ".img");
    }

    private Path part(String zone) {
        return dir.resolve(ZoneSpec.validateName(zone) + ".img.part");
    }

    /** A free path for suspending the zone: any older image of it here is stale. */
    Path freshTarget(String zone) {
        delete(zone);
        return image(zone);
    }

    void delete(String zone) {
        ServerSocketChannel listener = receiving.remove(zone);
        if (listener != null) {
            closeQuietly(listener);
        }
        try {
            Files.deleteIfExists(image(zone));
            Files.deleteIfExists(part(zone));
        } catch (IOException e) {
            throw new LiveZoneException(
                    "cannot delete the hibernation image of zone '" + zone + "': " + e.getMessage(),
                    e);
        }
    }

    /**
     * Listens for the zone's image. The caller knows the zone hibernates elsewhere, so an image or
     * partial copy of it here is a leftover (e.g. of a transfer whose coordinator died): replaced.
     */
    TransferTicket receive(String zone) {
        delete(zone);
        ServerSocketChannel server;
        try {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(address, 0), 1);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot listen for a hibernation image: " + e.getMessage(), e);
        }
        ServerSocketChannel previous = receiving.put(zone, server);
        if (previous != null) {
            closeQuietly(previous);
        }
        int port = server.socket().getLocalPort();
        Thread.ofVirtual().name("receive-hibernated-" + zone).start(() -> acceptOne(server, zone));
        Thread.ofVirtual()
                .start(
                        () -> {
                            try {
                                Thread.sleep(RECEIVE_TIMEOUT.toMillis());
                            } catch (InterruptedException ignored) {
                                // shutting down
                            }
                            if (receiving.remove(zone, server)) {
                                closeQuietly(server);
                            }
                        });
        log.info("waiting for the hibernation image of zone {} on port {}", zone, port);
        return new TransferTicket(site, address.getHostAddress(), port, false);
    }

    private void acceptOne(ServerSocketChannel server, String zone) {
        try (server;
                SocketChannel ch = server.accept()) {
            receiving.remove(zone, server);
            String answer;
            Path part = part(zone);
            try {
                MessageDigest sha = sha256();
                long bytes = 0;
                InputStream in = Channels.newInputStream(ch);
                try (OutputStream out = Files.newOutputStream(part)) {
                    byte[] buf = new byte[CHUNK];
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, n);
                        sha.update(buf, 0, n);
                        bytes += n;
                    }
                }
                Files.move(part, image(zone), StandardCopyOption.ATOMIC_MOVE);
                answer = "OK " + bytes + " " + HexFormat.of().formatHex(sha.digest());
                log.info("received the hibernation image of zone {} ({} bytes)", zone, bytes);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(part);
                answer = "ERR " + String.valueOf(e.getMessage()).replace('\n', ' ');
                log.warn("receiving the image of zone {} failed: {}", zone, e.getMessage());
            }
            ByteBuffer reply = ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8));
            while (reply.hasRemaining()) {
                ch.write(reply);
            }
        } catch (IOException e) {
            log.debug("hibernation image receiver closed: {}", e.getMessage());
        }
    }

    StorageTransfer send(String zone, HibernatedSend request) {
        Path file = image(zone);
        if (!Files.isRegularFile(file)) {
            throw ApiException.notFound("no hibernation image of zone '" + zone + "' here");
        }
        long t0 = System.nanoTime();
        Path socket =
                socketDir.resolve(
                        "h" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + ".out");
        String target = request.to().address() + ":" + request.to().port();
        try (UnixToTcpForwarder tunnel =
                tunnels.connectFrom(
                        socket,
                        request.to().address(),
                        request.to().port(),
                        request.to().site(),
                        request.link())) {
            MessageDigest sha = sha256();
            long size;
            String answer;
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    InputStream in = Files.newInputStream(file)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                OutputStream out = Channels.newOutputStream(ch);
                byte[] buf = new byte[CHUNK];
                size = 0;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    sha.update(buf, 0, n);
                    size += n;
                }
                ch.shutdownOutput();
                answer = readLine(ch);
            } catch (IOException e) {
                throw new LiveZoneException(
                        "sending the image of zone '"
                                + zone
                                + "' to "
                                + target
                                + " failed: "
                                + e.getMessage(),
                        e);
            }
            String expected = "OK " + size + " " + HexFormat.of().formatHex(sha.digest());
            if (!answer.equals(expected)) {
                throw new LiveZoneException(
                        "the receiver at "
                                + target
                                + " did not get the image of zone '"
                                + zone
                                + "' intact: "
                                + (answer.isEmpty() ? "no answer" : answer));
            }
            var stats = tunnel.stats();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            log.info(
                    "sent the image of zone {} to {} ({} bytes, {} ms)",
                    zone,
                    target,
                    size,
                    millis);
            return new StorageTransfer(
                    "hibernated", stats.bytesOutbound() + stats.bytesInbound(), size, millis);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a partial image is useless but harmless
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
