package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/** Asks a source agent to migrate a zone it runs to a destination that has issued a ticket. */
public record MigrateOutRequest(
        IncomingTicket ticket, MigrationSettings settings, LinkSettings link) {
    public MigrateOutRequest {
        Objects.requireNonNull(ticket, "ticket is missing");
        Objects.requireNonNull(settings, "settings are missing");
        Objects.requireNonNull(link, "link is missing");
        if (ticket.port() < 1 || ticket.port() > 65535) {
            throw new InvalidInputException("invalid destination port " + ticket.port());
        }
    }
}
