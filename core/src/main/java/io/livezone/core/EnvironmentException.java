package io.livezone.core;

/** The host lacks something LiveZone needs (QEMU binary, guest image, root rights, a free port). */
public class EnvironmentException extends LiveZoneException {
    public EnvironmentException(String message) {
        super(message);
    }

    public EnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
