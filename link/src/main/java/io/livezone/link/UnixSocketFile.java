package io.livezone.link;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A unix socket file this process listens on: binds it (replacing a stale file left by a crashed
 * process, refusing to touch a live socket or anything that is not a socket), and deletes it again,
 * but only if it is still the file this process created.
 */
final class UnixSocketFile {
    private static final Logger log = LoggerFactory.getLogger(UnixSocketFile.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /** sun_path is 108 bytes on Linux, including the terminating NUL. */
    private static final int MAX_PATH_BYTES = 107;

    private final Path path;
    private final ServerSocketChannel channel;
    private final Object fileKey;

    private UnixSocketFile(Path path, ServerSocketChannel channel, Object fileKey) {
        this.path = path;
        this.channel = channel;
        this.fileKey = fileKey;
    }

    static UnixSocketFile listen(Path path) throws IOException {
        Objects.requireNonNull(path, "socket path is null");
        removeStale(path);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException(
                    "cannot listen on unix socket "
                            + path
                            + ": directory "
                            + parent
                            + " is missing");
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path), Tunnel.BACKLOG);
        } catch (IOException e) {
            Tunnel.closeQuietly(channel);
            String hint =
                    path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES
                            ? " (unix socket paths are limited to " + MAX_PATH_BYTES + " bytes)"
                            : "";
            throw new IOException(
                    "cannot listen on unix socket " + path + ": " + Tunnel.reason(e) + hint, e);
        }
        Object key = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW).fileKey();
        return new UnixSocketFile(path, channel, key);
    }

    private static void removeStale(Path path) throws IOException {
        if (!Files.exists(path, NOFOLLOW)) {
            return;
        }
        if (!isSocket(path)) {
            throw new IOException(
                    "cannot listen on unix socket "
                            + path
                            + ": a file that is not a socket is in the way; remove it or choose"
                            + " another path");
        }
        if (isServed(path)) {
            throw new IOException(
                    "cannot listen on unix socket "
                            + path
                            + ": another process is serving it; stop that process or choose"
                            + " another path");
        }
        Files.deleteIfExists(path);
        log.info("removed stale unix socket {} (nobody was listening on it)", path);
    }

    private static boolean isServed(Path path) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW).isOther();
        }
    }

    Path path() {
        return path;
    }

    ServerSocketChannel channel() {
        return channel;
    }

    /** Deletes the socket file unless someone has since replaced it with another file. */
    void delete() {
        try {
            BasicFileAttributes now =
                    Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
            if (fileKey != null && !fileKey.equals(now.fileKey())) {
                log.debug("not deleting {}: it was replaced by another file", path);
                return;
            }
            Files.deleteIfExists(path);
        } catch (NoSuchFileException e) {
            // Already gone: someone cleaned up for us.
        } catch (IOException e) {
            log.warn("could not delete unix socket {}: {}", path, e.toString());
        }
    }
}
