package io.livezone.core.cluster;

/**
 * Where the source must mirror a zone's disk to: the NBD export the destination agent relays from
 * {@code address:port}, and which part of the disk to send.
 *
 * @param sync {@code TOP}: only the overlay (the destination's disk is an overlay on the same base,
 *     from its site's cache); {@code FULL}: everything the guest sees
 */
public record DiskTicket(
        String zone, String site, String address, int port, String export, Sync sync) {
    /** How much of the disk a mirror copies. */
    public enum Sync {
        TOP,
        FULL
    }
}
