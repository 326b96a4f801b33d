package io.livezone.core;

/** Base of every error LiveZone reports to a user; messages say what went wrong and what to do. */
public class LiveZoneException extends RuntimeException {
    public LiveZoneException(String message) {
        super(message);
    }

    public LiveZoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
