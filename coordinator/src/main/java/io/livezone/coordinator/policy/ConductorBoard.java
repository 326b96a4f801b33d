package io.livezone.coordinator.policy;

import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.ConductorStatus;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last status each host's load-balancing conductor reported. The conductors decide among
 * themselves; the coordinator only carries out the moves they ask for and shows what they report,
 * so this is kept in memory: after a restart it fills again within a report period.
 */
public final class ConductorBoard {
    /** A status and when it arrived; {@code ageMillis} is measured when the board is read. */
    public record Entry(ConductorStatus status, long receivedAtMillis, long ageMillis) {}

    private record Received(ConductorStatus status, long at) {}

    private final Map<String, Received> latest = new ConcurrentHashMap<>();

    public void record(String host, ConductorStatus status, long now) {
        if (!host.equals(status.host())) {
            throw new InvalidInputException(
                    "conductor status of " + status.host() + " posted for host " + host);
        }
        latest.put(host, new Received(status, now));
    }

    /** Every host's last report, by host name. */
    public List<Entry> entries(long now) {
        return latest.values().stream()
                .sorted((a, b) -> a.status().host().compareTo(b.status().host()))
                .map(r -> new Entry(r.status(), r.at(), Math.max(0, now - r.at())))
                .toList();
    }
}
