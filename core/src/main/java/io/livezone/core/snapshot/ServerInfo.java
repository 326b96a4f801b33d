package io.livezone.core.snapshot;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * A server that can host zones, as the placement policies see it. Capacity is counted in zones: the
 * policies only need to know how many more zones fit, not why (CPU, memory).
 */
public record ServerInfo(String id, String site, int capacityZones) {
    public ServerInfo {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(site, "site is null");
        if (id.isBlank()) {
            throw new InvalidInputException("server id is blank");
        }
        // 0 is allowed: a server being drained keeps appearing in snapshots but accepts no zones.
        if (capacityZones < 0) {
            throw new InvalidInputException(
                    "server " + id + ": capacity must be >= 0 zones, got " + capacityZones);
        }
    }
}
