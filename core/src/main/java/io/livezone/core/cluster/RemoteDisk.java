package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * Where a remote zone disk is served (storage mode b): the storage host's agent relays NBD
 * connections from {@code address:port} to the qemu-storage-daemon serving the disk.
 *
 * @param link the emulated link between the zone's host and the storage host, which the zone's host
 *     applies to its NBD connection; set by the coordinator for the host the zone runs on
 */
public record RemoteDisk(
        String host, String site, String address, int port, String export, LinkSettings link) {
    public RemoteDisk {
        Objects.requireNonNull(host, "storage host is missing");
        Objects.requireNonNull(site, "storage site is missing");
        Objects.requireNonNull(address, "storage address is missing");
        Objects.requireNonNull(export, "export name is missing");
        if (port < 1 || port > 65535) {
            throw new InvalidInputException("invalid NBD port " + port);
        }
        link = link == null ? LinkSettings.NONE : link;
    }

    /** The same endpoint as seen from a zone host at the other end of {@code path}. */
    public RemoteDisk via(LinkSettings path) {
        return new RemoteDisk(host, site, address, port, export, path);
    }
}
