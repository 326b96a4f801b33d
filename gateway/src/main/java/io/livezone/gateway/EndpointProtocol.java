package io.livezone.gateway;

/** What the gateway may assume about the traffic of one endpoint. */
public enum EndpointProtocol {
    /**
     * LiveZone's zone protocol: client datagrams must pass the configured {@link DatagramCheck} and
     * the zone server's {@code WELCOME} line is rewritten, as configured ({@link GatewayConfig}).
     */
    LIVEZONE,

    /**
     * A protocol the gateway does not speak (a zone image's service): every datagram of an allowed
     * size passes and nothing is rewritten. Holds keep every datagram and stream byte, in order,
     * and the datagrams of the switchover's last moment are replayed as configured: the service may
     * see one twice, which UDP allows and its protocol must bear anyway, rather than never.
     */
    OPAQUE
}
