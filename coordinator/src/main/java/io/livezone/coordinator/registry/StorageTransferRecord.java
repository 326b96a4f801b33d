package io.livezone.coordinator.registry;

/**
 * One storage transfer the cluster made: a base image into a site cache, a disk mirrored with its
 * zone, or a remote disk pulled to its zone's host.
 *
 * @param kind {@code base}, {@code mirror-top}, {@code mirror-full} or {@code pull}
 * @param zone the zone it was for (a base image travels for the zone that first needs it there)
 * @param wireBytes bytes on the host network, both directions, protocol included
 * @param dataBytes the data that had to move (image file, overlay or disk data)
 */
public record StorageTransferRecord(
        long id,
        String kind,
        String zone,
        String image,
        String fromHost,
        String toHost,
        String fromSite,
        String toSite,
        long wireBytes,
        long dataBytes,
        long millis,
        long atMillis) {
    public boolean crossesSites() {
        return fromSite != null && !fromSite.equals(toSite);
    }

    StorageTransferRecord withId(long newId) {
        return new StorageTransferRecord(
                newId, kind, zone, image, fromHost, toHost, fromSite, toSite, wireBytes, dataBytes,
                millis, atMillis);
    }
}
