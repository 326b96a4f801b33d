package io.livezone.storage;

/**
 * Copying a base image into a site cache failed (I/O error, or the bytes that arrived do not have
 * the source's SHA-256). Nothing is left in the cache.
 */
public final class ImageTransferException extends StorageException {
    public ImageTransferException(String message) {
        super(message);
    }

    public ImageTransferException(String message, Throwable cause) {
        super(message, cause);
    }
}
