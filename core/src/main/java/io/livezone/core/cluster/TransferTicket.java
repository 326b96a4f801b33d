package io.livezone.core.cluster;

/**
 * Where a sending agent must push a base image: the receiving agent's address, port and site. An
 * image the receiving site already caches needs no transfer ({@code alreadyCached}, port 0).
 */
public record TransferTicket(String site, String address, int port, boolean alreadyCached) {}
