package io.livezone.core.cluster;

/**
 * Where the source must send a zone's migration stream: the destination agent's address and TCP
 * port, and its site (streams to one site share that site's emulated link).
 */
public record IncomingTicket(String zone, String site, String address, int port) {}
