package io.livezone.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Moves a base image's bytes from its origin to a site cache. The control plane supplies one that
 * routes the bytes over the (emulated) WAN link between the sites; {@link BaseImageCache} counts
 * what arrives and checks its SHA-256.
 */
@FunctionalInterface
public interface ImageTransfer {
    /**
     * Copies everything from {@code source} to {@code destination}. Neither stream should be
     * closed; the cache closes both.
     */
    void transfer(InputStream source, OutputStream destination) throws IOException;

    /** A plain local copy, for a cache on the same host as the origin or for tests. */
    static ImageTransfer direct() {
        return (source, destination) -> source.transferTo(destination);
    }
}
