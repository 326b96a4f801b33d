package io.livezone.core.cluster;

import java.util.List;
import java.util.Map;

/**
 * What a host's load-balancing conductor reports to the coordinator each period, for the API and
 * the metrics: the group membership it sees, the loads it decides on, its last decision and what it
 * is sending or receiving. The conductors decide among themselves; the coordinator only shows this.
 *
 * @param balancing false: the conductor only broadcasts its load and never proposes a move
 * @param members host names in the conductor's current group view, itself included
 * @param loadPct this host's load (smoothed CPU of its zones, % of one CPU)
 * @param zones smoothed CPU per zone of this host
 * @param peers the last fresh load report of each other member
 * @param sending the zone being proposed or moved and to whom, null if none
 * @param receiving the zone this host reserved its one incoming slot for and from whom, null if
 *     none
 */
public record ConductorStatus(
        String host,
        long sentAtMillis,
        boolean balancing,
        List<String> members,
        double loadPct,
        boolean acceptsZones,
        Map<String, Double> zones,
        Map<String, Double> peers,
        String lastDecision,
        String sending,
        String receiving,
        long proposalsSent,
        long proposalsAccepted,
        long proposalsRefused,
        long migrationsSent,
        long migrationsFailed,
        long migrationsReceived,
        long viewChanges) {
    public ConductorStatus {
        members = List.copyOf(members);
        zones = Map.copyOf(zones);
        peers = Map.copyOf(peers);
    }
}
