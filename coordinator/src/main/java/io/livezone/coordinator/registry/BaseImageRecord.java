package io.livezone.coordinator.registry;

/**
 * A base image the cluster knows: zone disks are overlays on it, and site caches hold it by its
 * content hash.
 *
 * @param fileBytes the image file's length: what sending it to another site costs
 * @param site where it was created
 */
public record BaseImageRecord(
        String name,
        String sha256,
        String format,
        long virtualSize,
        long fileBytes,
        String site,
        long createdMillis) {}
