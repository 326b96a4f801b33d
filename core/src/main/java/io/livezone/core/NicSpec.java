package io.livezone.core;

import java.net.Inet4Address;
import java.util.Objects;
import java.util.Optional;

/** The zone's network identity: fixed MAC and static address (gateway optional). */
public record NicSpec(MacAddress mac, Ipv4Interface address, Optional<Inet4Address> gateway) {
    public NicSpec {
        Objects.requireNonNull(mac, "mac is null");
        Objects.requireNonNull(address, "address is null");
        Objects.requireNonNull(gateway, "gateway is null");
    }
}
