package io.livezone.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * A conductor's decision: the proposal to send, or empty with the reason nothing is sent. {@code
 * meanLoadPct} is the cluster mean estimated from the fresh load reports and the host's own load.
 */
public record TransferDecision(
        Optional<MigrationProposal> proposal, double meanLoadPct, String reason) {
    public TransferDecision {
        Objects.requireNonNull(proposal, "proposal is null");
        Objects.requireNonNull(reason, "reason is null");
    }

    public boolean sends() {
        return proposal.isPresent();
    }
}
