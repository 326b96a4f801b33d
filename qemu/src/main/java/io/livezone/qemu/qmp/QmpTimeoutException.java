package io.livezone.qemu.qmp;

/**
 * No reply (or no matching event, or no greeting) within the caller's timeout. The connection stays
 * usable.
 */
public final class QmpTimeoutException extends QmpException {
    public QmpTimeoutException(String message) {
        super(message);
    }

    public QmpTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
