package io.livezone.storage;

import io.livezone.core.LiveZoneException;

/** Base of the storage module's failures; the message says what failed and what to check. */
public class StorageException extends LiveZoneException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
