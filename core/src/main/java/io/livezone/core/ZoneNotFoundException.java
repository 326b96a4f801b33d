package io.livezone.core;

public class ZoneNotFoundException extends LiveZoneException {
    public ZoneNotFoundException(String zone) {
        super("unknown zone '" + zone + "'");
    }
}
