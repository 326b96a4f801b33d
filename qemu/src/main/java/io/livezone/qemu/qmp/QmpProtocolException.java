package io.livezone.qemu.qmp;

/**
 * The peer sent something that is not QMP: malformed JSON, a non-object, or an invalid greeting.
 */
public final class QmpProtocolException extends QmpException {
    public QmpProtocolException(String message) {
        super(message);
    }

    public QmpProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
