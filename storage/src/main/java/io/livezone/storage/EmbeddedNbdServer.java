package io.livezone.storage;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpCommandException;
import io.livezone.qemu.qmp.QmpException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The NBD server built into a running QEMU ({@code nbd-server-start}), listening on a unix socket;
 * the destination side of a disk mirror. A QEMU process runs at most one NBD server; it serves any
 * number of exports.
 *
 * <p>On a destination started with {@code -incoming defer} the exported node is still inactive
 * (migration has not handed it over yet); {@code block-export-add} activates it so the mirror can
 * write, and QEMU defers the device's own write permission until the migration completes. This is
 * the same sequence libvirt uses for non-shared storage migration.
 */
public final class EmbeddedNbdServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedNbdServer.class);

    private final QmpClient qmp;
    private final Path socket;
    private final Set<NbdExport> exports = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedNbdServer(QmpClient qmp, Path socket) {
        this.qmp = qmp;
        this.socket = socket;
    }

    /**
     * Starts the NBD server on {@code socket} (an existing file there is replaced by QEMU).
     *
     * @throws NbdException QEMU refused, e.g. an NBD server already runs in this process
     */
    public static EmbeddedNbdServer start(QmpClient qmp, Path socket) {
        Objects.requireNonNull(qmp, "qmp is null");
        Path path = Objects.requireNonNull(socket, "socket is null").toAbsolutePath().normalize();
        NbdEndpoint.requireSocketPathFits(path);
        try {
            qmp.execute(
                    "nbd-server-start",
                    Map.of(
                            "addr",
                            Map.of("type", "unix", "data", Map.of("path", path.toString()))));
        } catch (QmpCommandException e) {
            throw new NbdException(
                    "cannot start the NBD server of QEMU at "
                            + qmp.socket()
                            + " on "
                            + path
                            + ": "
                            + e.description()
                            + " (one NBD server per QEMU process: reuse the running one, or stop"
                            + " it first)",
                    e);
        }
        LOG.debug("NBD server of {} listening on {}", qmp.socket(), path);
        return new EmbeddedNbdServer(qmp, path);
    }

    public Path socket() {
        return socket;
    }

    /** Exports the disk's node, writable, under the node's name. */
    public NbdExport export(ZoneDisk disk) {
        return export(disk.nodeName(), disk.nodeName());
    }

    /**
     * Adds a writable export of {@code nodeName} ({@code block-export-add}, type nbd).
     *
     * @throws NbdException no such node, the name is taken, or the node cannot be written
     */
    public NbdExport export(String nodeName, String exportName) {
        if (closed.get()) {
            throw new IllegalStateException("NBD server on " + socket + " is stopped");
        }
        NbdEndpoint endpoint = new NbdEndpoint(socket, exportName);
        String id = NbdExport.exportIdFor(nodeName);
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("type", "nbd");
        args.put("id", id);
        args.put("node-name", nodeName);
        args.put("name", exportName);
        args.put("writable", true);
        try {
            qmp.execute("block-export-add", args);
        } catch (QmpCommandException e) {
            throw new NbdException(
                    "cannot export block node '"
                            + nodeName
                            + "' as '"
                            + exportName
                            + "' on "
                            + socket
                            + ": "
                            + e.description()
                            + knownNodesHint(),
                    e);
        }
        NbdExport export = new NbdExport(qmp, id, nodeName, endpoint, exports::remove);
        exports.add(export);
        LOG.debug("exported node {} as {}", nodeName, endpoint.uri());
        return export;
    }

    /**
     * Removes the remaining exports and stops the server ({@code nbd-server-stop}); deletes the
     * socket file. Idempotent; failures are logged.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (NbdExport export : List.copyOf(exports)) {
            export.close();
        }
        try {
            qmp.execute("nbd-server-stop");
        } catch (QmpException e) {
            LOG.warn("could not stop the NBD server on {}: {}", socket, e.getMessage());
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("could not delete NBD socket {}: {}", socket, e.getMessage());
        }
    }

    private String knownNodesHint() {
        try {
            List<String> names = new ArrayList<>();
            for (JsonNode node : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
                String name = node.path("node-name").asText();
                if (!name.startsWith("#")) {
                    names.add(name);
                }
            }
            return " (named nodes in this QEMU: " + names + ")";
        } catch (QmpException e) {
            return "";
        }
    }
}
