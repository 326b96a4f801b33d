package io.livezone.sim.cluster;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.ConductorView;
import io.livezone.policy.DecentralizedLoadBalancer;
import io.livezone.policy.HostLoadReport;
import io.livezone.policy.IncomingReservation;
import io.livezone.policy.LoadBalancerConfig;
import io.livezone.policy.MigrationProposal;
import io.livezone.policy.ProposalResponse;
import io.livezone.policy.ReceiverView;
import io.livezone.policy.TransferDecision;
import io.livezone.policy.ZoneLoad;
import io.livezone.sim.engine.EventLoop;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Hosts running zones, with one conductor per host driving {@link DecentralizedLoadBalancer} on an
 * {@link EventLoop}: the same decision functions the live conductors call, fed simulated views.
 *
 * <p>Each conductor wakes every {@code reportPeriodMs} (at its own phase), broadcasts its load —
 * every other conductor sees the latest report from then on, as with a group multicast — and
 * decides whether to propose a move. Proposal, answer and commit each take {@code messageDelayMs};
 * the migration then takes {@link MigrationCost#durationMs()}, during which the zone runs and
 * counts on the source. A host whose slot is taken reports that it accepts no zones; a refused
 * sender asks the next candidate at once, up to {@value #MAX_PROPOSALS_PER_ROUND} per period. Hosts
 * join at any time; a draining host sends its zones away and leaves when empty. With balancing off
 * the conductors only report (and drain).
 */
public final class SimCluster {
    /** Proposals a conductor makes per report period before waiting for fresh reports. */
    private static final int MAX_PROPOSALS_PER_ROUND = 3;

    private final EventLoop loop;
    private final LoadBalancerConfig config;
    private final boolean balancing;
    private final long reportPeriodMs;
    private final long messageDelayMs;
    private final MigrationCost cost;
    private final SplittableRandom random;
    private final DecentralizedLoadBalancer balancer = new DecentralizedLoadBalancer();

    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Zone> zones = new HashMap<>();
    private final Map<String, HostLoadReport> board = new LinkedHashMap<>();
    private final List<MigrationRecord> migrations = new ArrayList<>();
    private int proposals;
    private int rejections;
    private final Map<String, Integer> rejectionsByCause = new TreeMap<>();
    private int migrationsStarted;

    /**
     * @param config the load balancer's tuning; also used to drain leaving hosts when {@code
     *     balancing} is off
     */
    public SimCluster(
            EventLoop loop,
            LoadBalancerConfig config,
            boolean balancing,
            long reportPeriodMs,
            long messageDelayMs,
            MigrationCost cost,
            SplittableRandom random) {
        this.loop = Objects.requireNonNull(loop, "loop is null");
        this.config = Objects.requireNonNull(config, "config is null");
        this.balancing = balancing;
        if (reportPeriodMs <= 0 || messageDelayMs < 0) {
            throw new InvalidInputException(
                    "report period must be > 0 ms and message delay >= 0 ms, got "
                            + reportPeriodMs
                            + " and "
                            + messageDelayMs);
        }
        this.reportPeriodMs = reportPeriodMs;
        this.messageDelayMs = messageDelayMs;
        this.cost = Objects.requireNonNull(cost, "cost is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    /** {@code hostId} joins now; its conductor first reports within one period. */
    public void addHost(String hostId) {
        if (hosts.containsKey(hostId)) {
            throw new InvalidInputException("host " + hostId + " already joined");
        }
        Host host = new Host(hostId);
        hosts.put(hostId, host);
        loop.after(random.nextLong(reportPeriodMs), () -> conduct(host));
    }

    public void addZone(String zoneId, String hostId, double cpuPct) {
        Host host = host(hostId);
        if (zones.containsKey(zoneId)) {
            throw new InvalidInputException("zone " + zoneId + " already exists");
        }
        Zone zone = new Zone(zoneId, cpuPct, host);
        zones.put(zoneId, zone);
        host.zones.put(zoneId, zone);
    }

    public void setZoneCpu(String zoneId, double cpuPct) {
        Zone zone = zones.get(zoneId);
        if (zone == null) {
            throw new InvalidInputException("no zone " + zoneId);
        }
        zone.cpuPct = cpuPct;
    }

    /** {@code hostId} stops accepting zones, sends its own away and leaves once empty. */
    public void drain(String hostId) {
        host(hostId).draining = true;
    }

    /** Hosts present now, in the order they joined. */
    public List<String> hostIds() {
        return List.copyOf(hosts.keySet());
    }

    public boolean isPresent(String hostId) {
        return hosts.containsKey(hostId);
    }

    /** True once {@link #drain} was called for a host still present. */
    public boolean isDraining(String hostId) {
        return host(hostId).draining;
    }

    /** CPU load of a present host: the sum of its zones, including one it is sending. */
    public double load(String hostId) {
        return host(hostId).load();
    }

    public int zoneCount(String hostId) {
        return host(hostId).zones.size();
    }

    /** The host a zone runs on now (its source while it migrates). */
    public String hostOf(String zoneId) {
        Zone zone = zones.get(zoneId);
        if (zone == null) {
            throw new InvalidInputException("no zone " + zoneId);
        }
        return zone.host.id;
    }

    public List<MigrationRecord> migrations() {
        return Collections.unmodifiableList(migrations);
    }

    public int proposals() {
        return proposals;
    }

    public int rejections() {
        return rejections;
    }

    /** Refused proposals counted by cause: the receiver's reason up to its first colon. */
    public Map<String, Integer> rejectionsByCause() {
        return Collections.unmodifiableMap(rejectionsByCause);
    }

    private static String cause(ProposalResponse response) {
        if (response.accepted()) {
            return "aborted: the zone or the receiver changed before commit";
        }
        int colon = response.reason().indexOf(':');
        return colon < 0 ? response.reason() : response.reason().substring(0, colon);
    }

    /** Migrations started and not yet finished. */
    public int migrationsInFlight() {
        return migrationsStarted - migrations.size();
    }

    private Host host(String hostId) {
        Host host = hosts.get(hostId);
        if (host == null) {
            throw new InvalidInputException("no host " + hostId + " in the cluster");
        }
        return host;
    }

    private Instant instant() {
        return Instant.ofEpochMilli(loop.now());
    }

    private void conduct(Host host) {
        if (!hosts.containsKey(host.id)) {
            return;
        }
        double load = host.load();
        boolean accepting = !host.draining && host.reservation == null;
        board.put(host.id, new HostLoadReport(host.id, load, instant(), accepting));
        host.rejectedBy.clear();
        if ((balancing || host.draining) && !host.sending) {
            decide(host);
        }
        if (hosts.containsKey(host.id)) {
            loop.after(reportPeriodMs, () -> conduct(host));
        }
    }

    private void decide(Host host) {
        double load = host.load();
        List<HostLoadReport> peers = new ArrayList<>(board.size());
        for (HostLoadReport report : board.values()) {
            if (report.hostId().equals(host.id)) {
                continue;
            }
            // A host that refused this round is not asked again until the next report.
            peers.add(
                    host.rejectedBy.contains(report.hostId())
                            ? new HostLoadReport(
                                    report.hostId(), report.loadPct(), report.reportedAt(), false)
                            : report);
        }
        List<ZoneLoad> zoneLoads = new ArrayList<>(host.zones.size());
        for (Zone zone : host.zones.values()) {
            zoneLoads.add(new ZoneLoad(zone.id, zone.cpuPct));
        }
        ConductorView view =
                new ConductorView(
                        host.id,
                        instant(),
                        load,
                        zoneLoads,
                        peers,
                        host.lastMigrationAt(),
                        host.sending,
                        host.draining);
        TransferDecision decision = balancer.decideTransfer(view, config);
        if (decision.proposal().isEmpty()) {
            if (host.draining && host.zones.isEmpty()) {
                leave(host);
            }
            return;
        }
        MigrationProposal proposal = decision.proposal().get();
        host.sending = true;
        proposals++;
        loop.after(messageDelayMs, () -> deliver(host, proposal));
    }

    private void deliver(Host sender, MigrationProposal proposal) {
        Host receiver = hosts.get(proposal.receiverId());
        ProposalResponse response;
        if (receiver == null) {
            response = new ProposalResponse(false, "receiver left");
        } else {
            ReceiverView view =
                    new ReceiverView(
                            receiver.id,
                            instant(),
                            receiver.load(),
                            Optional.ofNullable(receiver.reservation),
                            receiver.draining);
            response = balancer.decideProposal(view, proposal, config);
            if (response.accepted()) {
                receiver.reservation =
                        new IncomingReservation(sender.id, proposal.zoneId(), instant(), false);
            }
        }
        loop.after(messageDelayMs, () -> answer(sender, receiver, proposal, response));
    }

    private void answer(
            Host sender, Host receiver, MigrationProposal proposal, ProposalResponse response) {
        Zone zone = zones.get(proposal.zoneId());
        boolean committable =
                response.accepted()
                        && hosts.containsKey(receiver.id)
                        && zone.host == sender
                        && receiver.reservation != null
                        && receiver.reservation.senderId().equals(sender.id)
                        && receiver.reservation.zoneId().equals(zone.id);
        if (!committable) {
            rejectionsByCause.merge(cause(response), 1, Integer::sum);
            if (response.accepted()
                    && receiver.reservation != null
                    && receiver.reservation.senderId().equals(sender.id)) {
                // Abort: give the slot back rather than let it block others until it times out.
                receiver.reservation = null;
            }
            rejections++;
            sender.sending = false;
            sender.rejectedBy.add(proposal.receiverId());
            // Like a live conductor, try the next candidate at once rather than wait a period.
            if (sender.rejectedBy.size() < MAX_PROPOSALS_PER_ROUND
                    && hosts.containsKey(sender.id)) {
                decide(sender);
            }
            return;
        }
        // Commit: the receiver's slot is now held until the migration ends.
        IncomingReservation held = receiver.reservation;
        receiver.reservation =
                new IncomingReservation(held.senderId(), held.zoneId(), held.acceptedAt(), true);
        long start = loop.now();
        migrationsStarted++;
        loop.after(
                messageDelayMs + cost.durationMs(), () -> complete(sender, receiver, zone, start));
    }

    private void complete(Host sender, Host receiver, Zone zone, long startMs) {
        sender.zones.remove(zone.id);
        receiver.zones.put(zone.id, zone);
        zone.host = receiver;
        sender.sending = false;
        sender.lastMigrationMs = loop.now();
        receiver.lastMigrationMs = loop.now();
        receiver.reservation = null;
        migrations.add(
                new MigrationRecord(
                        startMs, loop.now(), zone.id, sender.id, receiver.id, zone.cpuPct));
        if (sender.draining) {
            if (sender.zones.isEmpty()) {
                leave(sender);
            } else {
                // A leaving host goes on with its next zone at once instead of at its next report.
                sender.rejectedBy.clear();
                decide(sender);
            }
        }
    }

    private void leave(Host host) {
        hosts.remove(host.id);
        board.remove(host.id);
    }

    private static final class Host {
        final String id;
        final Map<String, Zone> zones = new LinkedHashMap<>();
        final Set<String> rejectedBy = new HashSet<>();
        boolean sending;
        boolean draining;
        long lastMigrationMs = -1;
        IncomingReservation reservation;

        Host(String id) {
            this.id = id;
        }

        double load() {
            double sum = 0;
            for (Zone zone : zones.values()) {
                sum += zone.cpuPct;
            }
            return sum;
        }

        Optional<Instant> lastMigrationAt() {
            return lastMigrationMs < 0
                    ? Optional.empty()
                    : Optional.of(Instant.ofEpochMilli(lastMigrationMs));
        }
    }

    private static final class Zone {
        final String id;
        double cpuPct;
        Host host;

        Zone(String id, double cpuPct, Host host) {
            this.id = id;
            this.cpuPct = cpuPct;
            this.host = host;
        }
    }
}
