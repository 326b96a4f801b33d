package io.livezone.core;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A block device attached to a zone's VM. The storage module renders the QEMU arguments (it owns
 * the block node names); the QEMU driver only passes them on, so it needs no storage types.
 *
 * @param id the disk's id; the guest finds it as {@code /dev/disk/by-id/virtio-<id>}, and the first
 *     (only) disk as {@code /dev/vda}
 * @param nodeName the block node the device is attached to (what storage jobs address)
 * @param qemuArguments the {@code -blockdev}/{@code -device} arguments that attach it
 * @param guestWriter whether the guest writes self-checking records to it (see
 *     scripts/guest-init.sh), so that hosts can verify the disk after every storage move
 */
public record DiskDevice(
        String id, String nodeName, List<String> qemuArguments, boolean guestWriter) {
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,15}");

    public DiskDevice {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidInputException("bad disk id '" + id + "'");
        }
        Objects.requireNonNull(nodeName, "nodeName is null");
        qemuArguments = List.copyOf(qemuArguments);
        if (qemuArguments.isEmpty()) {
            throw new InvalidInputException("disk " + id + " has no QEMU arguments");
        }
    }
}
