package io.livezone.qemu.qmp;

/**
 * Base of all QMP client failures. Unchecked: callers rarely recover locally from a broken QEMU.
 */
public class QmpException extends RuntimeException {
    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
