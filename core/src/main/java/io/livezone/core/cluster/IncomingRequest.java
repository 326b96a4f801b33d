package io.livezone.core.cluster;

import java.util.Objects;

/** Asks a destination agent to prepare a VM that receives {@code zone}. */
public record IncomingRequest(ZoneDefinition zone, MigrationSettings settings) {
    public IncomingRequest {
        Objects.requireNonNull(zone, "zone is missing");
        Objects.requireNonNull(settings, "settings are missing");
    }
}
