package io.livezone.core.snapshot;

import io.livezone.core.InvalidInputException;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A connected client, the zone it plays in, and its measured round-trip time to candidate servers.
 * The map may be sparse: a server missing from it is treated as unreachable (never under any RTT
 * threshold), which keeps snapshots of 10^5 clients small when each client has only probed a few
 * nearby servers.
 */
public record ClientInfo(String clientId, String zoneId, Map<String, Double> rttMsByServer) {
    public ClientInfo {
        Objects.requireNonNull(clientId, "clientId is null");
        Objects.requireNonNull(zoneId, "zoneId is null");
        Objects.requireNonNull(rttMsByServer, "rttMsByServer is null");
        if (clientId.isBlank()) {
            throw new InvalidInputException("client id is blank");
        }
        rttMsByServer = Map.copyOf(rttMsByServer);
        for (Map.Entry<String, Double> e : rttMsByServer.entrySet()) {
            double rtt = e.getValue();
            if (!Double.isFinite(rtt) || rtt < 0) {
                throw new InvalidInputException(
                        "client "
                                + clientId
                                + ": RTT to server "
                                + e.getKey()
                                + " must be a finite number >= 0 ms, got "
                                + rtt);
            }
        }
    }

    /** RTT to {@code serverId} in ms, empty when it was not measured. */
    public Optional<Double> rttMs(String serverId) {
        return Optional.ofNullable(rttMsByServer.get(serverId));
    }
}
