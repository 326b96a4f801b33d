package io.livezone.agent;

import io.livezone.core.DiskDevice;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.DiskTicket;
import io.livezone.link.UnixToTcpForwarder;
import io.livezone.storage.ZoneDisk;

import java.nio.file.Path;

/**
 * A zone disk as attached on this host: the block node QEMU uses, where its bytes are (a local
 * image, or a remote export reached through {@code remoteLink}), and the definition it came from.
 *
 * @param remoteLink the tunnel to the storage host of a remote disk, null for a local one
 * @param sync for a disk arriving here by mirror: what the source must send (the image here is an
 *     overlay on the cached base for {@code TOP}, blank for {@code FULL}); null otherwise
 */
record AttachedDisk(
        String zone,
        DiskDefinition definition,
        ZoneDisk disk,
        UnixToTcpForwarder remoteLink,
        DiskTicket.Sync sync) {
    static final String DISK_ID = "disk0";

    static AttachedDisk local(
            String zone, DiskDefinition definition, Path image, DiskTicket.Sync sync) {
        return new AttachedDisk(zone, definition, ZoneDisk.local(DISK_ID, image), null, sync);
    }

    boolean isRemote() {
        return remoteLink != null;
    }

    DiskDevice device() {
        return new DiskDevice(
                disk.id(), disk.nodeName(), disk.qemuArguments(), definition.writer());
    }

    /** Total bytes on the tunnel to the storage host so far, both directions. */
    long remoteBytes() {
        if (remoteLink == null) {
            return 0;
        }
        var s = remoteLink.stats();
        return s.bytesOutbound() + s.bytesInbound();
    }

    /** Closes the tunnel to the storage host, if any (QEMU must no longer use the export). */
    void release() {
        if (remoteLink != null) {
            remoteLink.close();
        }
    }
}
