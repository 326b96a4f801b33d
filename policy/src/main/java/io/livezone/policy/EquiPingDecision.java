package io.livezone.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * Outcome of an EquiPing placement: the chosen server, or empty with the reason no server
 * qualified.
 */
public record EquiPingDecision(Optional<EquiPingChoice> choice, String reason) {
    public EquiPingDecision {
        Objects.requireNonNull(choice, "choice is null");
        Objects.requireNonNull(reason, "reason is null");
    }
}
