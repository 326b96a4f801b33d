package io.livezone.policy;

import java.util.Objects;

/**
 * Phase two of the transfer: the receiver accepts (and reserves its one migration slot; the sender
 * then commits by starting the migration) or rejects, with the reason.
 */
public record ProposalResponse(boolean accepted, String reason) {
    public ProposalResponse {
        Objects.requireNonNull(reason, "reason is null");
    }

    static ProposalResponse accept(String reason) {
        return new ProposalResponse(true, reason);
    }

    static ProposalResponse reject(String reason) {
        return new ProposalResponse(false, reason);
    }
}
