package io.livezone.coordinator.hibernation;

import io.livezone.coordinator.plan.PlanExecutor;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.HibernatedSend;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.http.ApiException;
import io.livezone.policy.EquiPingChoice;
import io.livezone.policy.EquiPingDecision;
import io.livezone.policy.EquiPingPlacement;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Hibernating zones and waking them where their players are. A zone hibernates into an image in its
 * host's state folder; the registry keeps that host as the zone's, because the image lies there.
 * Resuming on another host carries the image through the two agents first (over the host network
 * and the emulated link between their sites), then restores it there. A match picks that host with
 * EquiPing over the up hosts, each player's RTT to a host being its RTT to the host's site.
 *
 * <p>While a zone hibernates or wakes, the registry says {@code MIGRATING}: plans and deletes keep
 * away. A failed suspend leaves it running; a failed resume leaves it hibernating on its host,
 * image intact, and any copy on the destination is discarded.
 */
public final class HibernationService {
    private static final Logger log = LoggerFactory.getLogger(HibernationService.class);

    /** {@code POST /v1/zones/{zone}/resume}: where to wake it; its own host if {@code null}. */
    public record ResumeRequest(String host) {}

    /** One player of a match: its id and measured RTT (ms) to each site. */
    public record Player(String id, Map<String, Double> rttMsBySite) {}

    /** {@code POST /v1/matches}: a hibernating zone and the players about to join it. */
    public record MatchRequest(String zone, List<Player> players) {}

    /** Where a match put its zone, and why. */
    public record MatchResult(
            String zone,
            String host,
            String site,
            double closenessMs,
            double meanRttMs,
            String reason,
            List<String> candidates,
            ZoneRecord placed) {}

    private final Registry registry;
    private final Function<String, AgentGateway> agents;
    private final PlanExecutor plans;
    private final StorageService storage;
    private final EquiPingPlacement placement = new EquiPingPlacement();

    public HibernationService(
            Registry registry,
            Function<String, AgentGateway> agents,
            PlanExecutor plans,
            StorageService storage) {
        this.registry = registry;
        this.agents = agents;
        this.plans = plans;
        this.storage = storage;
    }

    public ZoneRecord suspend(String name) {
        ZoneRecord zone;
        // Plans are submitted under the executor's lock: holding it while the zone is claimed
        // means no plan can take the zone between the check and the claim.
        synchronized (plans) {
            synchronized (this) {
                zone = registry.zone(name);
                if (zone.state() != ZoneLifecycle.RUNNING) {
                    throw ApiException.conflict(
                            "zone '"
                                    + name
                                    + "' is "
                                    + zone.state()
                                    + "; only running zones hibernate");
                }
                if (zone.definition().disk() != null) {
                    throw new InvalidInputException(
                            "zone '"
                                    + name
                                    + "' has a disk: hibernation is not supported for zones with"
                                    + " disks yet");
                }
                if (inPlan(name)) {
                    throw ApiException.conflict("zone '" + name + "' is being moved by a plan");
                }
                requireUp(zone.host());
                registry.putZone(zone.in(ZoneLifecycle.MIGRATING));
            }
        }
        try {
            agents.apply(zone.host()).suspend(name);
        } catch (RuntimeException e) {
            // The driver resumes the VM when the save fails; a timeout may hide a success.
            boolean saved = stateOn(zone.host(), name).orElse(null) == ZoneState.SUSPENDED;
            registry.putZone(zone.in(saved ? ZoneLifecycle.HIBERNATING : ZoneLifecycle.RUNNING));
            if (saved) {
                log.warn(
                        "zone {}: the suspend call failed ({}) but it did hibernate",
                        name,
                        e.getMessage());
                return registry.zone(name);
            }
            throw e;
        }
        ZoneRecord hibernating = zone.in(ZoneLifecycle.HIBERNATING);
        registry.putZone(hibernating);
        log.info("zone {} hibernates on {}", name, zone.host());
        return hibernating;
    }

    public ZoneRecord resume(String name, ResumeRequest request) {
        String wanted = request == null ? null : request.host();
        ZoneRecord zone;
        String to;
        synchronized (this) {
            zone = requireHibernating(name);
            to = wanted == null ? zone.host() : wanted;
            requireUp(to);
            if (!to.equals(zone.host())) {
                HostRecord source = registry.host(zone.host());
                if (source.state() != HostRecord.HostState.UP) {
                    throw ApiException.conflict(
                            "host "
                                    + source.name()
                                    + ", which holds the image of zone '"
                                    + name
                                    + "', is "
                                    + source.state());
                }
            }
            requireCapacity(zone, registry.host(to));
            registry.putZone(zone.in(ZoneLifecycle.MIGRATING));
        }
        try {
            ZoneRecord running =
                    to.equals(zone.host()) ? restoreInPlace(zone) : carryAndRestore(zone, to);
            log.info("zone {} resumed on {}", name, to);
            return running;
        } catch (RuntimeException e) {
            if (registry.zone(name).state() == ZoneLifecycle.MIGRATING) {
                registry.putZone(zone);
            }
            throw e;
        }
    }

    /**
     * Chooses the host for a match with EquiPing and wakes the zone there. Nothing changes if the
     * request is invalid or no host qualifies.
     */
    public MatchResult match(MatchRequest request) {
        if (request == null || request.zone() == null) {
            throw new InvalidInputException("a match needs a zone");
        }
        if (request.players() == null || request.players().isEmpty()) {
            throw new InvalidInputException("a match needs at least one player");
        }
        ZoneRecord zone = requireHibernating(request.zone());
        List<HostRecord> hosts = new ArrayList<>();
        for (HostRecord h : registry.hosts()) {
            if (h.state() == HostRecord.HostState.UP && fits(zone, h)) {
                hosts.add(h);
            }
        }
        if (hosts.isEmpty()) {
            throw ApiException.conflict(
                    "no host is up with room for zone '" + zone.name() + "'; it stays hibernating");
        }
        List<String> players = new ArrayList<>();
        Map<String, Map<String, Double>> rtt = new LinkedHashMap<>();
        for (Player p : request.players()) {
            if (p == null || p.id() == null || p.id().isBlank()) {
                throw new InvalidInputException("every player needs an id");
            }
            if (p.rttMsBySite() == null) {
                throw new InvalidInputException("player " + p.id() + " has no rttMsBySite");
            }
            players.add(p.id());
            for (HostRecord h : hosts) {
                Double ms = p.rttMsBySite().get(h.site());
                if (ms == null) {
                    throw new InvalidInputException(
                            "player "
                                    + p.id()
                                    + " reports no RTT to site "
                                    + h.site()
                                    + " (of host "
                                    + h.name()
                                    + "); sites with an up host: "
                                    + hosts.stream().map(HostRecord::site).distinct().toList());
                }
                rtt.computeIfAbsent(h.name(), k -> new LinkedHashMap<>()).put(p.id(), ms);
            }
        }
        List<String> candidates = hosts.stream().map(HostRecord::name).toList();
        EquiPingDecision decision = placement.choose(players, candidates, rtt);
        EquiPingChoice choice =
                decision.choice()
                        .orElseThrow(
                                () ->
                                        ApiException.conflict(
                                                decision.reason()
                                                        + "; zone '"
                                                        + zone.name()
                                                        + "' stays hibernating"));
        ZoneRecord placed = resume(zone.name(), new ResumeRequest(choice.serverId()));
        return new MatchResult(
                zone.name(),
                choice.serverId(),
                registry.host(choice.serverId()).site(),
                choice.closenessMs(),
                choice.meanRttMs(),
                decision.reason(),
                candidates,
                placed);
    }

    private ZoneRecord restoreInPlace(ZoneRecord zone) {
        agents.apply(zone.host()).restore(zone.definition());
        ZoneRecord running = zone.in(ZoneLifecycle.RUNNING);
        registry.putZone(running);
        return running;
    }

    private ZoneRecord carryAndRestore(ZoneRecord zone, String to) {
        String name = zone.name();
        AgentGateway source = agents.apply(zone.host());
        AgentGateway destination = agents.apply(to);
        StorageTransfer carried;
        try {
            TransferTicket ticket = destination.receiveHibernated(name);
            carried =
                    source.sendHibernated(
                            name,
                            new HibernatedSend(ticket, registry.linkBetween(zone.host(), to)));
            destination.restore(zone.definition());
        } catch (RuntimeException e) {
            // A lost answer may hide a restore that worked: the zone then runs there.
            if (stateOn(to, name).orElse(null) != ZoneState.RUNNING) {
                try {
                    destination.discardHibernated(name);
                } catch (RuntimeException d) {
                    log.warn(
                            "zone {}: could not discard its copy on {}: {}",
                            name,
                            to,
                            d.getMessage());
                }
                throw e;
            }
            log.warn(
                    "zone {}: the resume call failed ({}) but it runs on {}",
                    name,
                    e.getMessage(),
                    to);
            carried = null;
        }
        ZoneRecord running = zone.on(to, ZoneLifecycle.RUNNING);
        registry.putZone(running);
        if (carried != null) {
            storage.record(carried, name, null, zone.host(), to);
        }
        try {
            source.discardHibernated(name);
        } catch (RuntimeException e) {
            log.warn(
                    "zone {}: its old image on {} could not be deleted: {}",
                    name,
                    zone.host(),
                    e.getMessage());
        }
        return running;
    }

    private ZoneRecord requireHibernating(String name) {
        ZoneRecord zone = registry.zone(name);
        if (zone.state() != ZoneLifecycle.HIBERNATING) {
            throw ApiException.conflict(
                    "zone '" + name + "' is " + zone.state() + ", not hibernating");
        }
        return zone;
    }

    private void requireUp(String host) {
        HostRecord h = registry.host(host);
        if (h.state() != HostRecord.HostState.UP) {
            throw ApiException.conflict("host " + h.name() + " is " + h.state());
        }
    }

    private void requireCapacity(ZoneRecord zone, HostRecord host) {
        if (!fits(zone, host)) {
            throw new InvalidInputException(
                    "no capacity: host "
                            + host.name()
                            + " has "
                            + (free(zone, host) >> 20)
                            + " MiB free for zones, zone '"
                            + zone.name()
                            + "' needs "
                            + zone.definition().memoryMiB()
                            + " MiB");
        }
    }

    private boolean fits(ZoneRecord zone, HostRecord host) {
        return free(zone, host) >= zone.definition().memoryMiB() << 20;
    }

    /** Memory of {@code host} not used by its other zones; hibernating zones use none. */
    private long free(ZoneRecord zone, HostRecord host) {
        long used =
                registry.zones().stream()
                        .filter(z -> host.name().equals(z.host()))
                        .filter(z -> !z.name().equals(zone.name()))
                        .filter(z -> z.state() != ZoneLifecycle.HIBERNATING)
                        .mapToLong(z -> z.definition().memoryMiB() << 20)
                        .sum();
        return host.memoryBytes() - used;
    }

    private boolean inPlan(String zone) {
        return plans.plans().stream()
                .flatMap(p -> p.moves().stream())
                .anyMatch(m -> m.zone().equals(zone) && !m.state().finished());
    }

    private Optional<ZoneState> stateOn(String host, String zone) {
        try {
            return agents.apply(host).zones().stream()
                    .filter(s -> s.zone().equals(zone))
                    .map(ZoneStatus::state)
                    .findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
