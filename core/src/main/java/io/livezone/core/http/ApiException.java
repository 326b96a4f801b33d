package io.livezone.core.http;

import io.livezone.core.LiveZoneException;

/** An HTTP API error with its status code; the message is the server's, meant for the user. */
public class ApiException extends LiveZoneException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, message);
    }
}
