package io.livezone.storage;

/**
 * An NBD server, export or client connection could not be set up: a socket that is missing or
 * refuses connections, an export name the server does not know, a server that died.
 */
public final class NbdException extends StorageException {
    public NbdException(String message) {
        super(message);
    }

    public NbdException(String message, Throwable cause) {
        super(message, cause);
    }
}
