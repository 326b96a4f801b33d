package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/** Asks an agent to push a base image from its site's cache to a receiver's ticket. */
public record BaseImageSend(String sha256, TransferTicket to, LinkSettings link) {
    public BaseImageSend {
        validateSha256(sha256);
        Objects.requireNonNull(to, "ticket is missing");
        link = link == null ? LinkSettings.NONE : link;
    }

    static void validateSha256(String sha256) {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new InvalidInputException(
                    "a base image hash is 64 lower-case hex digits, got " + sha256);
        }
    }
}
