package io.livezone.dve.bot;

import java.io.IOException;

/** The zone's TCP control endpoint could not be reached (refused, timed out, unresolvable). */
public final class ZoneUnreachableException extends IOException {
    public ZoneUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
