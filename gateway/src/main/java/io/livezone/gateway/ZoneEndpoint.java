package io.livezone.gateway;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The stable address players use for a zone. It stays the same while the zone moves; the gateway
 * binds UDP and TCP on the same port when it picks the port itself.
 */
public record ZoneEndpoint(String zone, InetSocketAddress udp, InetSocketAddress tcp) {
    public ZoneEndpoint {
        Objects.requireNonNull(zone, "zone is null");
        Objects.requireNonNull(udp, "udp is null");
        Objects.requireNonNull(tcp, "tcp is null");
    }
}
