package io.livezone.network;

import io.livezone.core.LiveZoneException;

/** An iproute2 operation failed; the message carries the command and what it printed. */
public class NetworkException extends LiveZoneException {
    public NetworkException(String message) {
        super(message);
    }
}
