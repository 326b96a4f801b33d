package io.livezone.core;

public class ZoneAlreadyExistsException extends LiveZoneException {
    public ZoneAlreadyExistsException(String zone) {
        super("zone '" + zone + "' already exists; stop it first or choose another name");
    }
}
