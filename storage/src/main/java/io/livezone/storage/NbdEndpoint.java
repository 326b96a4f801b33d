package io.livezone.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where an NBD export is reachable from this host: a unix socket and an export name. This is what
 * the control plane hands from the host serving a disk to the host using it; between hosts it
 * relays the socket over TCP, so {@code socket} is always a path on the host that connects.
 */
public record NbdEndpoint(Path socket, String exportName) {
    /** sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    /** NBD limits export names to 4096 bytes. */
    private static final int MAX_EXPORT_NAME_BYTES = 4096;

    public NbdEndpoint {
        Objects.requireNonNull(socket, "socket is null");
        Objects.requireNonNull(exportName, "exportName is null");
        socket = socket.toAbsolutePath().normalize();
        requireSocketPathFits(socket);
        int nameBytes = exportName.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > MAX_EXPORT_NAME_BYTES) {
            throw new IllegalArgumentException(
                    "NBD export name must be 1.."
                            + MAX_EXPORT_NAME_BYTES
                            + " bytes: "
                            + exportName);
        }
    }

    /** The NBD URI qemu-img and qemu-io accept, e.g. {@code nbd+unix:///disk0?socket=/x.sock}. */
    public String uri() {
        return "nbd+unix:///" + exportName + "?socket=" + socket;
    }

    /** The {@code server} member of an nbd {@code blockdev-add} (QAPI SocketAddress). */
    Map<String, Object> qemuServerAddress() {
        return Map.of("type", "unix", "path", socket.toString());
    }

    static void requireSocketPathFits(Path socket) {
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException(
                    "unix socket path is "
                            + bytes
                            + " bytes, the limit is "
                            + MAX_SOCKET_PATH_BYTES
                            + ": "
                            + socket
                            + " (use a shorter folder)");
        }
    }
}
