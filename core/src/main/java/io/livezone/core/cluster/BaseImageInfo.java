package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

/**
 * A base image in a site cache.
 *
 * @param sha256 hash of the image file; its name in every cache
 * @param format qcow2 or raw
 * @param virtualSize the size a guest sees
 * @param fileBytes the image file's length: what a transfer to another site sends
 */
public record BaseImageInfo(
        String name, String sha256, String format, long virtualSize, long fileBytes) {
    public BaseImageInfo {
        DiskDefinition.validateImageName(name);
        BaseImageSend.validateSha256(sha256);
        if (!"qcow2".equals(format) && !"raw".equals(format)) {
            throw new InvalidInputException("base image format must be qcow2 or raw: " + format);
        }
    }
}
