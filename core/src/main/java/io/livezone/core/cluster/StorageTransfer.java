package io.livezone.core.cluster;

/**
 * What one storage transfer moved.
 *
 * @param kind {@code base} (a base image into a site cache), {@code mirror-top} / {@code
 *     mirror-full} (a disk moving with its zone), {@code pull} (a remote disk made local)
 * @param wireBytes bytes the transfer put on the host network, both directions, protocol included
 * @param dataBytes the data that had to move: the base image file, the overlay's (or whole disk's)
 *     allocated data at the switchover, or the pulled disk's size
 */
public record StorageTransfer(String kind, long wireBytes, long dataBytes, long millis) {}
