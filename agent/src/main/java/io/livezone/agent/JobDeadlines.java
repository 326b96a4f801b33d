package io.livezone.agent;

import io.livezone.core.cluster.MigrationSettings;

import java.time.Duration;

/**
 * How long each long operation may legitimately take: the deadline its job reports, after which its
 * caller stops waiting and asks the agent what its zones do. Each is the operation's own limits
 * plus a margin, so a caller never gives up on an operation that is still within them.
 */
@FunctionalInterface
public interface JobDeadlines {
    /** Room past an operation's own limits: the last bytes over a slow link, the answer's trip. */
    Duration MARGIN = Duration.ofMinutes(2);

    /** A disk mirror to in-sync, a pull to its pivot (their own timeouts are 30 min). */
    Duration DISK_COPY = Duration.ofMinutes(30).plus(MARGIN);

    /** A hibernation image or a base image pushed to another host. */
    Duration IMAGE_SEND = Duration.ofMinutes(30);

    /** Saving a zone to its image (the driver waits 10 min for the save). */
    Duration SUSPEND = Duration.ofMinutes(10).plus(MARGIN);

    /** Restoring a zone (a release under way first, then the driver's wait for the resume). */
    Duration RESTORE = Duration.ofMinutes(7).plus(MARGIN);

    /**
     * A migration out: its completion timeout for the zone's memory (per GiB), its progress
     * timeout, and the margin (see {@link io.livezone.core.MigrationOptions}).
     */
    Duration migration(String zone, MigrationSettings settings);
}
