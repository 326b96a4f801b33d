package io.livezone.core.cluster;

import io.livezone.core.ZoneSpec;

import java.util.Objects;

/** Asks a storage host to create a zone's disk and serve it over NBD (storage mode b). */
public record ServeDiskRequest(String zone, DiskDefinition disk) {
    public ServeDiskRequest {
        ZoneSpec.validateName(zone);
        Objects.requireNonNull(disk, "disk is missing");
    }
}
