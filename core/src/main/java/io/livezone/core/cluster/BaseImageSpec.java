package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

/**
 * Asks an agent to build a base image with known content in its site's cache: every 64 KiB block
 * holds text naming the image and the block, so any host can check a disk's base regions.
 */
public record BaseImageSpec(String name, long sizeMiB) {
    /** Base images travel between sites: keep them small. */
    public static final long MAX_SIZE_MIB = 64;

    public BaseImageSpec {
        DiskDefinition.validateImageName(name);
        if (sizeMiB < 1 || sizeMiB > MAX_SIZE_MIB) {
            throw new InvalidInputException(
                    "base image size must be 1.." + MAX_SIZE_MIB + " MiB, got " + sizeMiB);
        }
    }
}
