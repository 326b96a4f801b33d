package io.livezone.core.snapshot;

import io.livezone.core.InvalidInputException;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, self-consistent view of the cluster that placement policies decide on. Policies are
 * pure functions of a snapshot so that the live coordinator and an offline simulator get identical
 * decisions from identical input.
 *
 * <p>Validated on construction: ids are unique, every placement names a known server, every zone is
 * placed once, every client plays in a placed zone and only has RTTs to known servers, and no
 * server holds more zones than its capacity (a policy could not otherwise tell "already
 * over-committed" from "my mapping is infeasible").
 */
public record ClusterSnapshot(
        List<ServerInfo> servers, List<ZonePlacement> placements, List<ClientInfo> clients) {
    public ClusterSnapshot {
        servers = List.copyOf(Objects.requireNonNull(servers, "servers is null"));
        placements = List.copyOf(Objects.requireNonNull(placements, "placements is null"));
        clients = List.copyOf(Objects.requireNonNull(clients, "clients is null"));

        Map<String, ServerInfo> serversById = new HashMap<>();
        for (ServerInfo s : servers) {
            if (serversById.putIfAbsent(s.id(), s) != null) {
                throw new InvalidInputException("duplicate server id " + s.id());
            }
        }
        Map<String, Integer> zonesPerServer = new HashMap<>();
        Set<String> zones = new HashSet<>();
        for (ZonePlacement p : placements) {
            if (!zones.add(p.zoneId())) {
                throw new InvalidInputException("zone " + p.zoneId() + " is placed more than once");
            }
            ServerInfo server = serversById.get(p.serverId());
            if (server == null) {
                throw new InvalidInputException(
                        "zone " + p.zoneId() + " is placed on unknown server " + p.serverId());
            }
            int load = zonesPerServer.merge(p.serverId(), 1, Integer::sum);
            if (load > server.capacityZones()) {
                throw new InvalidInputException(
                        "server "
                                + server.id()
                                + " holds more zones than its capacity of "
                                + server.capacityZones());
            }
        }
        Set<String> clientIds = new HashSet<>();
        for (ClientInfo c : clients) {
            if (!clientIds.add(c.clientId())) {
                throw new InvalidInputException("duplicate client id " + c.clientId());
            }
            if (!zones.contains(c.zoneId())) {
                throw new InvalidInputException(
                        "client " + c.clientId() + " plays in unknown zone " + c.zoneId());
            }
            for (String serverId : c.rttMsByServer().keySet()) {
                if (!serversById.containsKey(serverId)) {
                    throw new InvalidInputException(
                            "client " + c.clientId() + " has an RTT to unknown server " + serverId);
                }
            }
        }
    }
}
