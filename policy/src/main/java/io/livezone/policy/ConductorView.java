package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one host's conductor knows when it considers sending a zone: its own load and zones, the
 * last load report of each other host, when it last took part in a migration and whether one of its
 * zones is being sent now.
 *
 * @param loadPct measured host load; may exceed the zones' sum (hypervisor, OS)
 * @param lastMigrationAt when the last migration this host sent or received completed
 * @param sending a proposal or migration of this host's is under way
 * @param draining the host is leaving: it sends all its zones away and accepts none
 */
public record ConductorView(
        String hostId,
        Instant now,
        double loadPct,
        List<ZoneLoad> zones,
        List<HostLoadReport> peers,
        Optional<Instant> lastMigrationAt,
        boolean sending,
        boolean draining) {
    public ConductorView {
        Ids.require(hostId, "host id");
        Objects.requireNonNull(now, "now is null");
        Percent.requireLoad(loadPct, "host " + hostId + ": load");
        zones = List.copyOf(Objects.requireNonNull(zones, "zones is null"));
        peers = List.copyOf(Objects.requireNonNull(peers, "peers is null"));
        Objects.requireNonNull(lastMigrationAt, "lastMigrationAt is null");
        Set<String> zoneIds = new HashSet<>();
        for (ZoneLoad zone : zones) {
            if (!zoneIds.add(zone.zoneId())) {
                throw new InvalidInputException(
                        "host " + hostId + " lists zone " + zone.zoneId() + " twice");
            }
        }
        Set<String> peerIds = new HashSet<>();
        for (HostLoadReport peer : peers) {
            if (peer.hostId().equals(hostId)) {
                throw new InvalidInputException(
                        "host " + hostId + " lists its own load report among its peers");
            }
            if (!peerIds.add(peer.hostId())) {
                throw new InvalidInputException(
                        "host " + hostId + " has two load reports from " + peer.hostId());
            }
        }
    }
}
