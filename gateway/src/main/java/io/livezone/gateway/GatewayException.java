package io.livezone.gateway;

import io.livezone.core.LiveZoneException;

/** A gateway operation that cannot be done in the gateway's current state. */
public class GatewayException extends LiveZoneException {
    public GatewayException(String message) {
        super(message);
    }

    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
