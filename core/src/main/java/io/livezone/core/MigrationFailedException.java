package io.livezone.core;

/**
 * A migration did not complete; {@link #sourceStillRunning()} says whether the zone kept running at
 * its source.
 */
public class MigrationFailedException extends LiveZoneException {
    private final boolean sourceStillRunning;

    public MigrationFailedException(String message, boolean sourceStillRunning, Throwable cause) {
        super(message, cause);
        this.sourceStillRunning = sourceStillRunning;
    }

    public boolean sourceStillRunning() {
        return sourceStillRunning;
    }
}
