package io.livezone.core.cluster;

import java.util.List;

/**
 * A host's typed load report (cf. Flink's heartbeat payloads); every heartbeat carries one, so the
 * report doubles as liveness.
 *
 * @param cpuPercent host CPU busy over the last interval, 0..100 × cores
 * @param nicRxBytes cumulative bytes received on the host's cluster interface
 */
public record HostLoad(
        double cpuPercent,
        long memoryUsedBytes,
        long memoryTotalBytes,
        long nicRxBytes,
        long nicTxBytes,
        List<ZoneLoad> zones) {
    public HostLoad {
        zones = List.copyOf(zones);
    }
}
