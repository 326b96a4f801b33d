package io.livezone.core.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.livezone.core.InvalidInputException;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the coordinator does when a zone's VM dies outside a migration (its QEMU exits, hangs or the
 * guest panics). Chosen at zone creation.
 */
public enum RestartPolicy {
    /** Report the zone FAILED and leave it: an operator decides. */
    NEVER,
    /** Report it, then boot the zone again on the same host from its image and disk. */
    RESTART;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code never} or {@code restart}; null means the default, {@link #NEVER}. */
    @JsonCreator
    public static RestartPolicy of(String text) {
        if (text == null) {
            return NEVER;
        }
        for (RestartPolicy p : values()) {
            if (p.id().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new InvalidInputException(
                "unknown restart policy '"
                        + text
                        + "'; known: "
                        + Arrays.stream(values()).map(RestartPolicy::id).toList());
    }
}
