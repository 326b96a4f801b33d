package io.livezone.core.cluster;

import io.livezone.core.ImageName;
import io.livezone.core.InvalidInputException;

import java.util.regex.Pattern;

/**
 * A zone's disk as the coordinator and agents exchange it.
 *
 * <p>With a base {@code image} the disk is a qcow2 overlay on that image, taken from the base image
 * cache of the site that holds the disk: only the overlay is the zone's own data. Without one it is
 * a standalone qcow2 (a blank disk, or one whose overlay and base were merged by a pull).
 *
 * <p>Where the disk's bytes live: on the zone's host ({@code remote == null}; they move with the
 * zone, mirrored during each migration), or on another host that serves them over NBD ({@code
 * remote}); then migrations move memory only, and a pull makes the disk local.
 *
 * @param image name of the base image, or null for a standalone disk
 * @param imageSha256 the base image's content hash (filled in by the coordinator); agents find the
 *     base in their site's cache by it
 * @param sizeMiB the disk's virtual size; at least the base image's
 * @param writer whether the guest continuously writes self-checking records to the disk
 * @param remote the host serving the disk, or null if the disk lives on the zone's host
 */
public record DiskDefinition(
        String image, String imageSha256, long sizeMiB, boolean writer, RemoteDisk remote) {
    /** The guest's record ring starts at 1 MiB and the writer wants room for it. */
    public static final long MIN_SIZE_MIB = 16;

    public static final long MAX_SIZE_MIB = 4096;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public DiskDefinition {
        if (image != null) {
            validateImageName(image);
            if (imageSha256 != null && !SHA256.matcher(imageSha256).matches()) {
                throw new InvalidInputException(
                        "base image hash must be 64 lower-case hex digits, got " + imageSha256);
            }
        } else if (imageSha256 != null) {
            throw new InvalidInputException("a disk without base image has no base image hash");
        }
        if (sizeMiB < MIN_SIZE_MIB || sizeMiB > MAX_SIZE_MIB) {
            throw new InvalidInputException(
                    "disk size "
                            + sizeMiB
                            + " MiB out of range "
                            + MIN_SIZE_MIB
                            + ".."
                            + MAX_SIZE_MIB
                            + " MiB");
        }
    }

    public static String validateImageName(String name) {
        return ImageName.validate(name, "base image");
    }

    public long sizeBytes() {
        return sizeMiB << 20;
    }

    /** True if the disk lives on the zone's host (no NBD server elsewhere). */
    public boolean local() {
        return remote == null;
    }

    public DiskDefinition withRemote(RemoteDisk served) {
        return new DiskDefinition(image, imageSha256, sizeMiB, writer, served);
    }

    /**
     * The disk as one standalone image on the zone's host: what a pull or a full mirror leaves
     * (both copy what the guest sees, base included).
     */
    public DiskDefinition standalone() {
        return new DiskDefinition(null, null, sizeMiB, writer, null);
    }
}
