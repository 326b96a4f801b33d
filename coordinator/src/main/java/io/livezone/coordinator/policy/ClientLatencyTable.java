package io.livezone.coordinator.policy;

import io.livezone.core.InvalidInputException;
import io.livezone.core.snapshot.ClientInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Players' measured round-trip times, per client and site, as gateways (or bots) report them. A
 * client's RTT to a server is its RTT to the server's site; samples older than the horizon are
 * forgotten, so clients that left stop counting.
 */
public final class ClientLatencyTable {
    /**
     * One measurement: {@code client} of {@code zone} sees {@code rttMs} to hosts of {@code site}.
     */
    public record Sample(String client, String zone, String site, double rttMs) {
        public Sample {
            if (client == null || client.isBlank() || zone == null || site == null) {
                throw new InvalidInputException("an RTT sample needs client, zone and site");
            }
            if (!Double.isFinite(rttMs) || rttMs < 0 || rttMs > 60_000) {
                throw new InvalidInputException("RTT must be 0..60000 ms, got " + rttMs);
            }
        }
    }

    /** A batch of samples, as the API receives it. */
    public record Report(List<Sample> samples) {
        public Report {
            if (samples == null || samples.isEmpty()) {
                throw new InvalidInputException("an RTT report needs at least one sample");
            }
            samples = List.copyOf(samples);
        }
    }

    private record Entry(String zone, Map<String, Double> rttBySite, long at) {}

    private final long horizonMillis;
    private final Map<String, Entry> clients = new ConcurrentHashMap<>();

    public ClientLatencyTable(long horizonMillis) {
        this.horizonMillis = horizonMillis;
    }

    public synchronized void record(Sample s, long now) {
        Entry old = clients.get(s.client());
        Map<String, Double> rtt = new HashMap<>();
        if (old != null && old.zone().equals(s.zone())) {
            rtt.putAll(old.rttBySite());
        }
        rtt.put(s.site(), s.rttMs());
        clients.put(s.client(), new Entry(s.zone(), rtt, now));
    }

    /** Clients still reporting, with RTTs per server derived from the servers' sites. */
    public synchronized List<ClientInfo> clients(Map<String, String> siteOfServer, long now) {
        clients.values().removeIf(e -> now - e.at() > horizonMillis);
        List<ClientInfo> out = new ArrayList<>();
        clients.forEach(
                (id, e) -> {
                    Map<String, Double> byServer = new HashMap<>();
                    siteOfServer.forEach(
                            (server, site) -> {
                                Double rtt = e.rttBySite().get(site);
                                if (rtt != null) {
                                    byServer.put(server, rtt);
                                }
                            });
                    out.add(new ClientInfo(id, e.zone(), byServer));
                });
        return out;
    }

    public int size() {
        return clients.size();
    }
}
