package io.livezone.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A base image in a site's {@link BaseImageCache}.
 *
 * @param sha256 hex SHA-256 of the image file's bytes; also its name in the cache
 * @param path the cached file ({@code <sha256>.<format>}, read-only); overlays point here
 * @param bytesTransferred bytes the {@link BaseImageCache#ensure} call that returned this record
 *     moved over the transfer; 0 when the image was already cached
 */
public record CachedBaseImage(
        String sha256, Path path, ImageFormat format, long virtualSize, long bytesTransferred) {

    public CachedBaseImage {
        Objects.requireNonNull(sha256, "sha256 is null");
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(format, "format is null");
    }

    /** True if this call found the image already cached. */
    public boolean wasCached() {
        return bytesTransferred == 0;
    }
}
