package io.livezone.policy;

import io.livezone.core.snapshot.ClientInfo;
import io.livezone.core.snapshot.ClusterSnapshot;
import io.livezone.core.snapshot.ServerInfo;
import io.livezone.core.snapshot.ZonePlacement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot reduced to what zone mapping (§6.3) needs: for every (zone, server) the number of the
 * zone's clients whose RTT to that server is below the threshold. Clients are aggregated once, up
 * front, so a search step costs O(1) per candidate (zone, server) no matter how many clients there
 * are, and QoS of a mapping is the sum of the chosen cells divided by the client count.
 */
final class ZoneQosTable {
    private static final int MOVES_IN_REASON = 10;

    final String[] zoneIds;
    final String[] serverIds;
    final int[] capacity;

    /** Server index each zone is on now. */
    final int[] current;

    /** good[z][s]: clients of zone z served below the threshold if z ran on server s. */
    final int[][] good;

    final int[] clientsPerZone;
    final int totalClients;

    private ZoneQosTable(ClusterSnapshot snapshot, double rttThresholdMs) {
        List<ServerInfo> servers = snapshot.servers();
        List<ZonePlacement> placements = snapshot.placements();
        serverIds = new String[servers.size()];
        capacity = new int[servers.size()];
        Map<String, Integer> serverIndex = new HashMap<>();
        for (int s = 0; s < servers.size(); s++) {
            serverIds[s] = servers.get(s).id();
            capacity[s] = servers.get(s).capacityZones();
            serverIndex.put(serverIds[s], s);
        }
        zoneIds = new String[placements.size()];
        current = new int[placements.size()];
        Map<String, Integer> zoneIndex = new HashMap<>();
        for (int z = 0; z < placements.size(); z++) {
            zoneIds[z] = placements.get(z).zoneId();
            current[z] = serverIndex.get(placements.get(z).serverId());
            zoneIndex.put(zoneIds[z], z);
        }
        good = new int[zoneIds.length][serverIds.length];
        clientsPerZone = new int[zoneIds.length];
        for (ClientInfo client : snapshot.clients()) {
            int z = zoneIndex.get(client.zoneId());
            clientsPerZone[z]++;
            for (Map.Entry<String, Double> rtt : client.rttMsByServer().entrySet()) {
                if (rtt.getValue() < rttThresholdMs) {
                    good[z][serverIndex.get(rtt.getKey())]++;
                }
            }
        }
        totalClients = snapshot.clients().size();
    }

    static ZoneQosTable of(ClusterSnapshot snapshot, ZoneMappingConfig config) {
        Objects.requireNonNull(snapshot, "snapshot is null");
        Objects.requireNonNull(config, "config is null");
        return new ZoneQosTable(snapshot, config.rttThresholdMs());
    }

    int zones() {
        return zoneIds.length;
    }

    int servers() {
        return serverIds.length;
    }

    long goodClients(int[] assignment) {
        long sum = 0;
        for (int z = 0; z < assignment.length; z++) {
            sum += good[z][assignment[z]];
        }
        return sum;
    }

    /**
     * With no clients there is nobody to serve badly, so QoS is perfect and nothing should move.
     */
    double qos(long goodClients) {
        return totalClients == 0 ? 1.0 : (double) goodClients / totalClients;
    }

    int movesFromCurrent(int[] assignment) {
        int moves = 0;
        for (int z = 0; z < assignment.length; z++) {
            if (assignment[z] != current[z]) {
                moves++;
            }
        }
        return moves;
    }

    boolean meetsTarget(ZoneMappingConfig config) {
        return qos(goodClients(current)) >= config.qosTarget();
    }

    /** Keeps the current placement: QoS already meets the target. */
    ZoneMappingDecision keep(ZoneMappingConfig config) {
        double before = qos(goodClients(current));
        return new ZoneMappingDecision(
                mapping(current),
                before,
                before,
                List.of(),
                "QoS " + percent(before) + " ≥ " + percent(config.qosTarget()) + ": no moves");
    }

    /**
     * Turns a searched target into a decision; a target that does not strictly improve QoS moves
     * nothing.
     */
    ZoneMappingDecision decide(int[] target, ZoneMappingConfig config) {
        long before = goodClients(current);
        long after = goodClients(target);
        String below = "QoS " + percent(qos(before)) + " < " + percent(config.qosTarget());
        if (after <= before) {
            return new ZoneMappingDecision(
                    mapping(current),
                    qos(before),
                    qos(before),
                    List.of(),
                    below + " but no mapping within capacity improves it: no moves");
        }
        List<ZoneMove> moves = new ArrayList<>();
        for (int z = 0; z < target.length; z++) {
            if (target[z] != current[z]) {
                moves.add(new ZoneMove(zoneIds[z], serverIds[current[z]], serverIds[target[z]]));
            }
        }
        StringBuilder reason = new StringBuilder(below).append(": move ");
        for (int i = 0; i < Math.min(moves.size(), MOVES_IN_REASON); i++) {
            reason.append(i == 0 ? "" : ", ").append(moves.get(i));
        }
        if (moves.size() > MOVES_IN_REASON) {
            reason.append(" and ").append(moves.size() - MOVES_IN_REASON).append(" more");
        }
        reason.append(" (QoS after ").append(percent(qos(after))).append(')');
        return new ZoneMappingDecision(
                mapping(target), qos(before), qos(after), moves, reason.toString());
    }

    private Map<String, String> mapping(int[] assignment) {
        Map<String, String> mapping = new HashMap<>();
        for (int z = 0; z < assignment.length; z++) {
            mapping.put(zoneIds[z], serverIds[assignment[z]]);
        }
        return mapping;
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }
}
