package io.livezone.gateway;

/** What the gateway may assume about the traffic of one endpoint. */
public enum EndpointProtocol {
    /**
     * LiveZone's zone protocol: client datagrams must pass the configured {@link DatagramCheck},
     * the zone server's {@code WELCOME} line is rewritten and datagrams of the switchover's last
     * moment are replayed, as configured ({@link GatewayConfig}).
     */
    LIVEZONE,

    /**
     * A protocol the gateway does not speak (a zone image's service): every datagram of an allowed
     * size passes, nothing is rewritten, and nothing is replayed, since the service may not discard
     * duplicates. Holds at a switchover still keep every datagram and stream byte, in order.
     */
    OPAQUE
}
