package io.livezone.coordinator.registry;

import io.livezone.core.cluster.HostLoad;

/**
 * A registered server.
 *
 * @param url where its agent listens; null until the agent first heartbeats
 * @param load the last load report, null before the first
 */
public record HostRecord(
        String name,
        String site,
        long memoryBytes,
        long nicBytesPerSec,
        String url,
        HostState state,
        long lastSeenMillis,
        HostLoad load) {
    public enum HostState {
        /** Configured; its agent has not reported yet. */
        UNKNOWN,
        UP,
        /** Its agent stopped heartbeating: its zones are reported lost, never silently moved. */
        DOWN
    }

    HostRecord seen(String url, long at, HostLoad load) {
        return new HostRecord(name, site, memoryBytes, nicBytesPerSec, url, HostState.UP, at, load);
    }

    HostRecord down() {
        return new HostRecord(
                name, site, memoryBytes, nicBytesPerSec, url, HostState.DOWN, lastSeenMillis, load);
    }
}
