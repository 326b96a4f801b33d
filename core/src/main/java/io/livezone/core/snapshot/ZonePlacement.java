package io.livezone.core.snapshot;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/** Zone {@code zoneId} currently runs on server {@code serverId}. */
public record ZonePlacement(String zoneId, String serverId) {
    public ZonePlacement {
        Objects.requireNonNull(zoneId, "zoneId is null");
        Objects.requireNonNull(serverId, "serverId is null");
        if (zoneId.isBlank()) {
            throw new InvalidInputException("zone id is blank");
        }
        if (serverId.isBlank()) {
            throw new InvalidInputException("zone " + zoneId + ": server id is blank");
        }
    }
}
