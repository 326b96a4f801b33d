package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * The server EquiPing picked, its closeness factor (mean pairwise RTT difference) and mean RTT, in
 * ms.
 */
public record EquiPingChoice(String serverId, double closenessMs, double meanRttMs) {
    public EquiPingChoice {
        Objects.requireNonNull(serverId, "serverId is null");
        if (!(closenessMs >= 0) || !(meanRttMs >= 0)) {
            throw new InvalidInputException(
                    "closeness and mean RTT must be >= 0 ms, got "
                            + closenessMs
                            + " and "
                            + meanRttMs);
        }
    }
}
