package io.livezone.coordinator.policy;

import io.livezone.core.snapshot.ClientInfo;
import io.livezone.core.snapshot.ClusterSnapshot;
import io.livezone.core.snapshot.ZonePlacement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The players' quality of service now, measured on the {@link ClusterSnapshot} zone mapping decides
 * on: per zone, how many clients report RTTs, their RTT to the host the zone runs on, and the share
 * below zone mapping's threshold (§6.3: a client is served well when its RTT to its zone's server
 * is below the threshold).
 */
public final class LiveQos {
    private LiveQos() {}

    /**
     * One zone's clients. {@code withRtt} of them reported an RTT to the zone's current site; the
     * RTT figures are over those (0 when none did).
     */
    public record ZoneQos(
            String zone,
            String host,
            int clients,
            int withRtt,
            int belowThreshold,
            double meanRttMs,
            double maxRttMs) {
        /** Share of the zone's clients served below the threshold; 1 with no clients. */
        public double qos() {
            return clients == 0 ? 1 : (double) belowThreshold / clients;
        }
    }

    public record Report(double thresholdMs, List<ZoneQos> zones) {
        public Report {
            zones = List.copyOf(zones);
        }

        /** Share of all reporting clients served below the threshold; 1 with no clients. */
        public double overall() {
            int clients = 0;
            int below = 0;
            for (ZoneQos z : zones) {
                clients += z.clients();
                below += z.belowThreshold();
            }
            return clients == 0 ? 1 : (double) below / clients;
        }
    }

    public static Report measure(ZoneMappingRunner zoneMapping, long now) {
        double threshold = zoneMapping.settings().rttThresholdMs();
        ClusterSnapshot snapshot = zoneMapping.snapshot(now);
        Map<String, List<ClientInfo>> byZone = new HashMap<>();
        for (ClientInfo c : snapshot.clients()) {
            byZone.computeIfAbsent(c.zoneId(), z -> new ArrayList<>()).add(c);
        }
        List<ZoneQos> zones = new ArrayList<>();
        for (ZonePlacement p : snapshot.placements()) {
            List<ClientInfo> clients = byZone.getOrDefault(p.zoneId(), List.of());
            int withRtt = 0;
            int below = 0;
            double sum = 0;
            double max = 0;
            for (ClientInfo c : clients) {
                Double rtt = c.rttMsByServer().get(p.serverId());
                if (rtt == null) {
                    continue;
                }
                withRtt++;
                sum += rtt;
                max = Math.max(max, rtt);
                if (rtt < threshold) {
                    below++;
                }
            }
            zones.add(
                    new ZoneQos(
                            p.zoneId(),
                            p.serverId(),
                            clients.size(),
                            withRtt,
                            below,
                            withRtt == 0 ? 0 : sum / withRtt,
                            max));
        }
        return new Report(threshold, zones);
    }
}
