package io.livezone.core.cluster;

import java.util.Objects;

/**
 * Asks the agent that holds a hibernated zone's image to push it to another host's receiver,
 * through the emulated link between their sites ({@link LinkSettings#NONE} within a site).
 */
public record HibernatedSend(TransferTicket to, LinkSettings link) {
    public HibernatedSend {
        Objects.requireNonNull(to, "ticket is missing");
        link = link == null ? LinkSettings.NONE : link;
    }
}
