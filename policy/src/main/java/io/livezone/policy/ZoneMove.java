package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * One migration a mapping decision asks for: zone {@code zoneId} from server {@code fromServerId}
 * to {@code toServerId}.
 */
public record ZoneMove(String zoneId, String fromServerId, String toServerId) {
    public ZoneMove {
        Objects.requireNonNull(zoneId, "zoneId is null");
        Objects.requireNonNull(fromServerId, "fromServerId is null");
        Objects.requireNonNull(toServerId, "toServerId is null");
        if (fromServerId.equals(toServerId)) {
            throw new InvalidInputException(
                    "zone " + zoneId + " cannot move from " + fromServerId + " to itself");
        }
    }

    @Override
    public String toString() {
        return zoneId + " " + fromServerId + "→" + toServerId;
    }
}
