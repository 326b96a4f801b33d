package io.livezone.agent;

import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.DiskMirrorRequest;
import io.livezone.core.cluster.DiskTicket;
import io.livezone.core.cluster.RemoteDisk;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.fault.Failpoints;
import io.livezone.core.http.ApiException;
import io.livezone.link.UnixToTcpForwarder;
import io.livezone.qemu.ZoneDriver;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.storage.DiskPull;
import io.livezone.storage.MirrorOptions;
import io.livezone.storage.NbdEndpoint;
import io.livezone.storage.ZoneDisk;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Zone disks as this agent handles them: attached when a zone starts or arrives (a local file, an
 * overlay on the site's cached base, or a tunnel to the host that serves it), mirrored out ahead of
 * a migration ({@link DepartingDisk}; it finishes in the switchover pause), pulled here from a
 * remote host while the zone runs, and adopted again after an agent restart. What each zone's disk
 * is and does is in its {@link ZoneSlot}.
 */
final class ZoneDisks {
    private static final Logger log = LoggerFactory.getLogger(ZoneDisks.class);
    private static final Duration MIRROR_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(30);

    /** How long QEMU retries a dropped connection to a remote disk before failing guest I/O. */
    private static final Duration REMOTE_RECONNECT = Duration.ofSeconds(5);

    private final String host;
    private final ZoneDriver driver;
    private final HostDisks disks;
    private final StreamTunnels tunnels;
    private final Path socketDir;
    private final Function<String, ZoneSlot> slots;

    ZoneDisks(
            String host,
            ZoneDriver driver,
            HostDisks disks,
            StreamTunnels tunnels,
            Path socketDir,
            Function<String, ZoneSlot> slots) {
        this.host = host;
        this.driver = driver;
        this.disks = disks;
        this.tunnels = tunnels;
        this.socketDir = socketDir;
        this.slots = slots;
    }

    HostDisks files() {
        return disks;
    }

    /**
     * After a restart: zones running here with a local disk get their disk back. (Remote disks
     * cannot: their tunnel died with the previous agent process.)
     */
    void adoptLocalDisks() {
        for (String zone : driver.zoneNames()) {
            try {
                Path file = disks.diskFile(zone);
                Optional<io.livezone.core.DiskDevice> device = driver.disk(zone);
                if (device.isPresent() && Files.exists(file)) {
                    long sizeMiB = disks.qemuImg().info(file).virtualSize() >> 20;
                    DiskDefinition definition =
                            new DiskDefinition(
                                    null, null, sizeMiB, device.get().guestWriter(), null);
                    ZoneDisk disk =
                            ZoneDisk.local(device.get().id(), file)
                                    .withNodeName(device.get().nodeName());
                    slots.apply(zone).disk(new AttachedDisk(zone, definition, disk, null, null));
                }
            } catch (RuntimeException e) {
                log.warn("cannot adopt the disk of zone {}: {}", zone, e.getMessage());
            }
        }
    }

    /**
     * Makes a zone's disk available here: creates a local disk (an overlay on the cached base, or,
     * for one that arrives by a full mirror, blank) or opens the tunnel to a remote one.
     */
    AttachedDisk attach(String zone, DiskDefinition definition, boolean arriving) {
        if (definition.remote() != null) {
            RemoteDisk remote = definition.remote();
            Path socket = socketDir.resolve(zone + ".disk");
            UnixToTcpForwarder link =
                    tunnels.connectFrom(
                            socket, remote.address(), remote.port(), remote.site(), remote.link());
            ZoneDisk disk =
                    ZoneDisk.remote(
                            AttachedDisk.DISK_ID,
                            new NbdEndpoint(socket, remote.export()),
                            REMOTE_RECONNECT);
            return new AttachedDisk(zone, definition, disk, link, null);
        }
        Path file = disks.diskFile(zone);
        if (Files.exists(file)) {
            throw ApiException.conflict(
                    "a disk of zone '" + zone + "' already exists on " + host + ": " + file);
        }
        DiskTicket.Sync sync = null;
        boolean blank = false;
        if (arriving) {
            // Overlay only if this site holds the very base the source's overlay sits on.
            sync = disks.base(definition).isPresent() ? DiskTicket.Sync.TOP : DiskTicket.Sync.FULL;
            blank = sync == DiskTicket.Sync.FULL;
        }
        disks.create(file, definition, blank);
        return AttachedDisk.local(zone, definition, file, sync);
    }

    /** Closes a disk's tunnel and deletes its local file, if it has one. */
    void detach(AttachedDisk disk) {
        disk.release();
        if (!disk.isRemote()) {
            disks.deleteDisk(disk.zone());
        }
    }

    StorageTransfer mirror(String zone, DiskMirrorRequest request) {
        ZoneSlot slot = slots.apply(zone);
        AttachedDisk disk = slot.disk();
        if (disk == null) {
            throw new InvalidInputException("zone '" + zone + "' has no disk on " + host);
        }
        if (disk.isRemote()) {
            throw new InvalidInputException(
                    "the disk of zone '"
                            + zone
                            + "' is served by "
                            + disk.definition().remote().host()
                            + "; its migrations move memory only");
        }
        if (slot.pulling()) {
            throw ApiException.conflict("the disk of zone '" + zone + "' is being pulled");
        }
        abortMirror(zone); // a mirror left over by an interrupted move
        DepartingDisk mirror =
                DepartingDisk.start(
                        disk,
                        driver.storageMonitor(zone),
                        socketDir.resolve(zone + ".nbd-out"),
                        tunnels,
                        request);
        slot.departing(mirror);
        Failpoints.reach("agent.mirror"); // QEMU mirrors on while this thread is held
        try {
            StorageTransfer synced =
                    mirror.awaitReady(MIRROR_TIMEOUT, slot::cancelRequested, slot::progress);
            log.info(
                    "zone {}: disk in sync at {} ({} bytes of data, {} on the wire)",
                    zone,
                    request.ticket().address(),
                    synced.dataBytes(),
                    synced.wireBytes());
            return synced;
        } catch (RuntimeException e) {
            slot.dropDeparting(mirror);
            mirror.close();
            throw e;
        } finally {
            slot.mirrorEnded();
        }
    }

    StorageTransfer departed(String zone) {
        StorageTransfer t = slots.apply(zone).departed();
        if (t == null) {
            throw ApiException.notFound("zone '" + zone + "' has not migrated its disk out");
        }
        return t;
    }

    /** Ends the zone's disk mirror, if one runs (a move aborted, or one left over). */
    void abortMirror(String zone) {
        DepartingDisk mirror = slots.apply(zone).takeDeparting();
        if (mirror != null) {
            mirror.close();
        }
    }

    /** The data the mirror had to move: read while the migrated-away source is stopped. */
    long dataBytes(String zone, DepartingDisk mirror) {
        Path file = ((ZoneDisk.LocalImage) mirror.disk().disk().location()).image();
        try {
            return mirror.sync() == DiskTicket.Sync.TOP
                    ? disks.qemuImg().topLayerDataBytes(file)
                    : disks.qemuImg().dataBytes(file);
        } catch (RuntimeException e) {
            log.warn("cannot measure the disk data of zone {}: {}", zone, e.getMessage());
            return -1;
        }
    }

    StorageTransfer pull(String zone) {
        ZoneSlot slot = slots.apply(zone);
        AttachedDisk disk = slot.disk();
        if (disk == null) {
            throw new InvalidInputException("zone '" + zone + "' has no disk on " + host);
        }
        if (!disk.isRemote()) {
            throw new InvalidInputException(
                    "the disk of zone '" + zone + "' is already local to " + host);
        }
        if (!slot.startPulling()) {
            throw ApiException.conflict("zone '" + zone + "' is busy migrating");
        }
        long t0 = System.nanoTime();
        long wireBefore = disk.remoteBytes();
        Path file = disks.diskFile(zone);
        try (QmpClient qmp =
                QmpClient.connect(driver.storageMonitor(zone), Duration.ofSeconds(20))) {
            Files.createDirectories(file.getParent());
            ZoneDisk local;
            try (DiskPull pull =
                    DiskPull.start(qmp, disk.disk(), file, disks.qemuImg(), MirrorOptions.full())) {
                pull.awaitReady(PULL_TIMEOUT);
                local = pull.pivot(Duration.ofSeconds(60));
            }
            long wire = disk.remoteBytes() - wireBefore;
            AttachedDisk now =
                    new AttachedDisk(zone, disk.definition().standalone(), local, null, null);
            driver.updateDisk(zone, now.device());
            slot.disk(now);
            disk.release(); // QEMU dropped its nbd node at the pivot
            long millis = (System.nanoTime() - t0) / 1_000_000;
            log.info(
                    "zone {}: disk pulled to {} in {} ms ({} bytes on the wire)",
                    zone,
                    file,
                    millis,
                    wire);
            return new StorageTransfer("pull", wire, disk.definition().sizeBytes(), millis);
        } catch (IOException e) {
            throw new io.livezone.core.EnvironmentException("cannot create " + file.getParent(), e);
        } finally {
            slot.pulled();
        }
    }
}
