package io.livezone.gateway;

import io.livezone.core.InvalidInputException;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a zone runs right now, as the control plane tells the gateway: the zone server's UDP and
 * TCP addresses and the site of its current host (which selects the emulated region delays).
 */
public record ZoneLocation(InetSocketAddress udp, InetSocketAddress tcp, String site) {
    public ZoneLocation {
        Objects.requireNonNull(udp, "udp is null");
        Objects.requireNonNull(tcp, "tcp is null");
        Objects.requireNonNull(site, "site is null");
        if (udp.isUnresolved() || tcp.isUnresolved()) {
            throw new InvalidInputException(
                    "zone address must be resolved, got udp " + udp + " tcp " + tcp);
        }
        if (site.isBlank()) {
            throw new InvalidInputException("site is blank");
        }
    }

    /** A zone server that serves UDP and TCP on the same address. */
    public static ZoneLocation of(InetSocketAddress address, String site) {
        return new ZoneLocation(address, address, site);
    }
}
