package io.livezone.coordinator.dashboard;

import io.livezone.coordinator.dashboard.DashboardSnapshot.QosSample;
import io.livezone.coordinator.dashboard.DashboardSnapshot.ZoneRtt;
import io.livezone.core.snapshot.ClientInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * QoS as the zone migration paper (§6.3) and {@code ZoneMappingPolicy} count it: the share of
 * players whose RTT to the host running their zone is below the threshold; a player with no RTT to
 * that host counts as over it. Also each zone's RTT distribution, for the dashboard's chart.
 */
final class ClientQos {
    /** Lower edges of the RTT histogram buckets (ms); the last bucket is open-ended. */
    static final List<Double> BUCKET_EDGES_MS =
            List.of(0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 150.0, 200.0, 300.0);

    /** QoS now, and per zone. */
    record Result(QosSample sample, List<ZoneRtt> zones) {
        Optional<ZoneRtt> zone(String name) {
            return zones.stream().filter(z -> z.zone().equals(name)).findFirst();
        }
    }

    private ClientQos() {}

    /**
     * @param hostOfZone every known zone and the host that runs it, in display order
     * @param clients players with their RTT per host
     */
    static Result measure(
            long now,
            double thresholdMs,
            Map<String, String> hostOfZone,
            List<ClientInfo> clients) {
        Map<String, List<Double>> rtts = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        hostOfZone.keySet().forEach(z -> rtts.put(z, new ArrayList<>()));
        int total = 0;
        int under = 0;
        for (ClientInfo c : clients) {
            String host = hostOfZone.get(c.zoneId());
            if (host == null) {
                continue; // a zone deleted since the player last reported
            }
            total++;
            counts.merge(c.zoneId(), 1, Integer::sum);
            Optional<Double> rtt = c.rttMs(host);
            if (rtt.isPresent()) {
                rtts.get(c.zoneId()).add(rtt.get());
                if (rtt.get() < thresholdMs) {
                    under++;
                }
            }
        }
        List<ZoneRtt> zones = new ArrayList<>();
        rtts.forEach(
                (zone, values) -> {
                    values.sort(null);
                    zones.add(
                            new ZoneRtt(
                                    zone,
                                    hostOfZone.get(zone),
                                    counts.getOrDefault(zone, 0),
                                    values.size(),
                                    percentile(values, 0.5),
                                    percentile(values, 0.9),
                                    values.isEmpty() ? null : values.getLast(),
                                    histogram(values)));
                });
        return new Result(
                new QosSample(now, total, under, total == 0 ? null : (double) under / total),
                zones);
    }

    /** Nearest-rank percentile of sorted values; null for none. */
    static Double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static List<Integer> histogram(List<Double> values) {
        int[] counts = new int[BUCKET_EDGES_MS.size()];
        for (double v : values) {
            int b = BUCKET_EDGES_MS.size() - 1;
            while (b > 0 && v < BUCKET_EDGES_MS.get(b)) {
                b--;
            }
            counts[b]++;
        }
        List<Integer> out = new ArrayList<>();
        for (int c : counts) {
            out.add(c);
        }
        return out;
    }
}
