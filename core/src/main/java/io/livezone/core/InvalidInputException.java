package io.livezone.core;

/** Input (argument, config, API payload) rejected before anything was changed. */
public class InvalidInputException extends LiveZoneException {
    public InvalidInputException(String message) {
        super(message);
    }
}
