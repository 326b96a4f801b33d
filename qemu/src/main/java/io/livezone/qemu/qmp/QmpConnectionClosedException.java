package io.livezone.qemu.qmp;

/**
 * The QMP connection is gone (QEMU exited, closed the socket, sent garbage, or the client was
 * closed). Pending commands and event waiters fail with this as soon as the reader notices; the
 * cause says why.
 */
public final class QmpConnectionClosedException extends QmpException {
    public QmpConnectionClosedException(String message) {
        super(message);
    }

    public QmpConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
