package io.livezone.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One zone disk as QEMU sees it: the block node the guest's virtio-blk device is attached to, and
 * where that node's data lives. Gives the {@code -blockdev} and {@code -device} arguments for the
 * zone's QEMU command line (and the same options for a QMP {@code blockdev-add}).
 *
 * <p>Naming, for a disk with id {@code disk0}:
 *
 * <table>
 *   <caption>Node and device names</caption>
 *   <tr><th>Name</th><th>What it is</th></tr>
 *   <tr><td>{@code lz-disk0}</td><td>{@link #nodeName()}: the node the device reads and writes
 *       (qcow2 for a {@link LocalImage}, nbd for a {@link RemoteExport}); the node to mirror
 *       from, and the node to export to an incoming mirror</td></tr>
 *   <tr><td>{@code lz-disk0-file}</td><td>{@link #fileNodeName()}: the {@code file} node under a
 *       local qcow2 node. The overlay's backing image is opened by QEMU from the qcow2 header,
 *       read-only, with an automatic node name ({@code #blockNNN})</td></tr>
 *   <tr><td>{@code lz-disk0-dev}</td><td>{@link #deviceId()}: the virtio-blk-pci device</td></tr>
 *   <tr><td>{@code lz-disk0-mirror}</td><td>NBD client node {@link DiskMirror} adds as mirror
 *       target</td></tr>
 *   <tr><td>{@code lz-disk0-local}, {@code lz-disk0-local-file}</td><td>the local qcow2 a {@link
 *       DiskPull} copies a remote disk into; after the pivot {@link #nodeName()} of the disk it
 *       returns</td></tr>
 *   <tr><td>{@code lz-disk0-push}, {@code lz-disk0-pull}</td><td>block job ids</td></tr>
 * </table>
 *
 * <p>The device is {@code virtio-blk-pci} with {@code serial=<id>}, so the guest finds the disk as
 * {@code /dev/disk/by-id/virtio-<id>}. For live migration the destination's command line must list
 * the same devices in the same order (same PCI slots); node names and file paths may differ.
 *
 * @param id short disk name: a lower-case letter, then letters, digits or '-', at most 16
 *     characters (QEMU node names are limited to 31)
 * @param nodeName the node the device is attached to; {@code lz-<id>} unless the disk was pivoted
 */
public record ZoneDisk(String id, String nodeName, Location location) {
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,15}");
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,30}");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Where the disk's data lives. */
    public sealed interface Location permits LocalImage, RemoteExport {}

    /**
     * A qcow2 image on this host: a zone overlay (its backing file taken from its header) or a
     * standalone image.
     */
    public record LocalImage(Path image) implements Location {
        public LocalImage {
            image = Objects.requireNonNull(image, "image is null").toAbsolutePath().normalize();
        }
    }

    /**
     * An NBD export served elsewhere (mode b: the disk stays on its host).
     *
     * @param reconnectDelay how long QEMU keeps retrying a dropped connection before failing guest
     *     I/O; zero fails at once. Worth a few seconds over a relayed WAN link.
     */
    public record RemoteExport(NbdEndpoint endpoint, Duration reconnectDelay) implements Location {
        public RemoteExport {
            Objects.requireNonNull(endpoint, "endpoint is null");
            Objects.requireNonNull(reconnectDelay, "reconnectDelay is null");
            if (reconnectDelay.isNegative()) {
                throw new IllegalArgumentException("reconnect delay must be >= 0");
            }
        }
    }

    public ZoneDisk {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(nodeName, "nodeName is null");
        Objects.requireNonNull(location, "location is null");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "disk id must be a lower-case letter followed by up to 15 letters, digits or"
                            + " '-': '"
                            + id
                            + "'");
        }
        // The file node name appends 5 characters.
        if (!NODE_NAME.matcher(nodeName).matches() || nodeName.length() > 26) {
            throw new IllegalArgumentException(
                    "node name must start with a letter, use letters, digits, '-', '.', '_' and"
                            + " have at most 26 characters: '"
                            + nodeName
                            + "'");
        }
    }

    /** A disk whose data is the qcow2 image {@code image} on this host. */
    public static ZoneDisk local(String id, Path image) {
        return new ZoneDisk(id, defaultNodeName(id), new LocalImage(image));
    }

    /** A disk served by the NBD export at {@code endpoint}; fails I/O at once if it drops. */
    public static ZoneDisk remote(String id, NbdEndpoint endpoint) {
        return remote(id, endpoint, Duration.ZERO);
    }

    /** A disk served by the NBD export at {@code endpoint}. */
    public static ZoneDisk remote(String id, NbdEndpoint endpoint, Duration reconnectDelay) {
        return new ZoneDisk(id, defaultNodeName(id), new RemoteExport(endpoint, reconnectDelay));
    }

    static String defaultNodeName(String id) {
        return "lz-" + id;
    }

    /** The same disk under another node name (what a pivot produces). */
    public ZoneDisk withNodeName(String name) {
        return new ZoneDisk(id, name, location);
    }

    /**
     * The protocol node under a local qcow2 node.
     *
     * @throws IllegalStateException the disk is remote (an nbd node has no file child)
     */
    public String fileNodeName() {
        if (!(location instanceof LocalImage)) {
            throw new IllegalStateException("disk '" + id + "' is remote: it has no file node");
        }
        return nodeName + "-file";
    }

    public String deviceId() {
        return "lz-" + id + "-dev";
    }

    /**
     * QOM path of the device's block backend. HMP {@code qemu-io -d <path>} writes through it as
     * the guest would; the PCI proxy's own id has no backend, the virtio child holds it.
     */
    public String blockBackendPath() {
        return "/machine/peripheral/" + deviceId() + "/virtio-backend";
    }

    /** Options for {@code -blockdev} and QMP {@code blockdev-add}. */
    public Map<String, Object> blockdevOptions() {
        Map<String, Object> node = new LinkedHashMap<>();
        switch (location) {
            case LocalImage local -> {
                node.put("driver", "qcow2");
                node.put("node-name", nodeName);
                // Guest TRIM frees overlay clusters, so less data crosses the WAN in a migration.
                node.put("discard", "unmap");
                node.put(
                        "file",
                        Map.of(
                                "driver",
                                "file",
                                "node-name",
                                fileNodeName(),
                                "filename",
                                local.image().toString(),
                                "discard",
                                "unmap"));
            }
            case RemoteExport remote -> {
                node.put("driver", "nbd");
                node.put("node-name", nodeName);
                node.put("server", remote.endpoint().qemuServerAddress());
                node.put("export", remote.endpoint().exportName());
                if (!remote.reconnectDelay().isZero()) {
                    node.put("reconnect-delay", Math.max(1, remote.reconnectDelay().toSeconds()));
                }
            }
        }
        return node;
    }

    /**
     * {@code -blockdev <json>}. JSON rather than key=value so commas in file paths need no
     * escaping.
     */
    public List<String> blockdevArguments() {
        try {
            return List.of("-blockdev", MAPPER.writeValueAsString(blockdevOptions()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize blockdev options", e);
        }
    }

    /** {@code -device virtio-blk-pci,...} attached to {@link #nodeName()}. */
    public List<String> deviceArguments() {
        return List.of(
                "-device",
                "virtio-blk-pci,drive=" + nodeName + ",id=" + deviceId() + ",serial=" + id);
    }

    /** {@link #blockdevArguments()} followed by {@link #deviceArguments()}. */
    public List<String> qemuArguments() {
        List<String> args = new ArrayList<>(blockdevArguments());
        args.addAll(deviceArguments());
        return List.copyOf(args);
    }
}
