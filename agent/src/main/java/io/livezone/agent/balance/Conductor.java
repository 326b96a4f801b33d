package io.livezone.agent.balance;

import io.livezone.agent.balance.ConductorMessage.Answer;
import io.livezone.agent.balance.ConductorMessage.Commit;
import io.livezone.agent.balance.ConductorMessage.Load;
import io.livezone.agent.balance.ConductorMessage.Outcome;
import io.livezone.agent.balance.ConductorMessage.Propose;
import io.livezone.core.EnvironmentException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.cluster.ConductorStatus;
import io.livezone.core.cluster.HostLoad;
import io.livezone.policy.ConductorView;
import io.livezone.policy.DecentralizedLoadBalancer;
import io.livezone.policy.HostLoadReport;
import io.livezone.policy.IncomingReservation;
import io.livezone.policy.LoadBalancerConfig;
import io.livezone.policy.MigrationProposal;
import io.livezone.policy.ProposalResponse;
import io.livezone.policy.ReceiverView;
import io.livezone.policy.TransferDecision;

import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One host's load-balancing conductor (process migration paper §IV) on the live cluster.
 *
 * <p><b>Membership</b> is JGroups': conductors form a group over TCP on the hosts' own addresses
 * ({@link ConductorStack}); a host joins when its agent starts and leaves when it stops or dies,
 * and every conductor learns of it from the group view. <b>Information policy</b>: every period the
 * conductor multicasts its load — its zones' CPU, smoothed — and whether its single incoming slot
 * is free; it keeps the last report of each member. It then asks the pure {@link
 * DecentralizedLoadBalancer} whether to send a zone (transfer, location and selection policies).
 * The host's load counts all its zones, but only those the {@link ZoneMover} allows — the
 * coordinator runs them and no plan is moving them — are candidates: a zone still booting, whose
 * boot makes it look the heaviest, is not.
 *
 * <p>A transfer is a two-phase commit between the two conductors: the sender proposes, the receiver
 * judges the proposal on its own current load and, accepting, reserves its one incoming slot; the
 * sender commits and asks the coordinator to move the zone ({@link ZoneMover}), then tells the
 * receiver the outcome, which frees the slot. A proposal unanswered within the reservation timeout
 * is withdrawn; an uncommitted reservation expires after it; a reservation whose sender leaves the
 * group is freed. After each move both ends calm down before sending again. A refused sender tries
 * the next candidate at once, up to {@value #MAX_PROPOSALS_PER_ROUND} proposals per period, as the
 * simulator's conductors do.
 *
 * <p>All state is owned by one thread: JGroups' deliveries, the periodic round and the end of a
 * move are queued to it. Moves run on their own threads, since one takes seconds to minutes.
 */
public final class Conductor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Conductor.class);

    /** Proposals per report period before waiting for fresh reports. */
    static final int MAX_PROPOSALS_PER_ROUND = 3;

    /** Share of a new load sample in each zone's smoothed CPU. */
    private static final double SMOOTHING = 0.5;

    private record Outgoing(
            long id, MigrationProposal proposal, Address to, Instant sentAt, boolean committed) {
        Outgoing commit() {
            return new Outgoing(id, proposal, to, sentAt, true);
        }

        String describe() {
            return proposal.zoneId()
                    + " → "
                    + proposal.receiverId()
                    + (committed ? " (moving)" : " (proposed)");
        }
    }

    private record Incoming(Address from, long id, IncomingReservation reservation) {
        boolean matches(Address src, long proposalId) {
            return from.equals(src) && id == proposalId;
        }

        String describe() {
            return reservation.zoneId()
                    + " ← "
                    + reservation.senderId()
                    + (reservation.committed() ? " (moving)" : " (reserved)");
        }
    }

    private final ConductorSettings settings;
    private final LoadBalancerConfig config;
    private final Supplier<HostLoad> samples;
    private final ZoneMover mover;
    private final Consumer<ConductorStatus> statusSink;
    private final DecentralizedLoadBalancer balancer = new DecentralizedLoadBalancer();
    private final ScheduledExecutorService loop;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean publishing = new AtomicBoolean();
    private final AtomicBoolean askingMovable = new AtomicBoolean();

    /** The zones the mover allows to move (null: all); none until it first answered. */
    private volatile Set<String> movable = Set.of();

    private final JChannel channel;

    // Owned by the loop thread.
    private final ZoneCpuAverages zones = new ZoneCpuAverages(SMOOTHING);
    private final Map<String, HostLoadReport> reports = new TreeMap<>();
    private Map<String, Address> members = Map.of();
    private List<String> view = List.of();
    private final Set<String> refusedThisRound = new HashSet<>();
    private int proposalsThisRound;
    private Outgoing outgoing;
    private Incoming incoming;
    private Instant lastMigrationAt;
    private long nextProposalId;
    private String lastDecision = "no round yet";
    private long proposalsSent;
    private long proposalsAccepted;
    private long proposalsRefused;
    private long migrationsSent;
    private long migrationsFailed;
    private long migrationsReceived;
    private long viewChanges;

    private volatile ConductorStatus status;

    private Conductor(
            ConductorSettings settings,
            Supplier<HostLoad> samples,
            ZoneMover mover,
            Consumer<ConductorStatus> statusSink)
            throws Exception {
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.config = settings.balancer();
        this.samples = Objects.requireNonNull(samples, "samples is null");
        this.mover = Objects.requireNonNull(mover, "mover is null");
        this.statusSink = Objects.requireNonNull(statusSink, "statusSink is null");
        this.loop =
                Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform()
                                .daemon()
                                .name("conductor-" + settings.host())
                                .factory());
        this.channel = ConductorStack.channel(settings);
    }

    /**
     * Joins the group and starts the periodic rounds.
     *
     * @param samples the agent's latest load sample
     * @param statusSink where each period's {@link ConductorStatus} goes (the coordinator); called
     *     off the conductor's thread, never twice at once
     * @throws EnvironmentException if the group cannot be joined (address or port unusable)
     */
    public static Conductor start(
            ConductorSettings settings,
            Supplier<HostLoad> samples,
            ZoneMover mover,
            Consumer<ConductorStatus> statusSink) {
        Conductor conductor;
        try {
            conductor = new Conductor(settings, samples, mover, statusSink);
        } catch (LiveZoneException e) {
            throw e;
        } catch (Exception e) {
            throw new EnvironmentException(
                    "cannot set up the load-balancing conductor: " + e.getMessage(), e);
        }
        conductor.connect();
        return conductor;
    }

    private void connect() {
        channel.setDiscardOwnMessages(true);
        channel.setReceiver(
                new Receiver() {
                    @Override
                    public void receive(Message msg) {
                        deliver(msg);
                    }

                    @Override
                    public void viewAccepted(View newView) {
                        submit(() -> onView(newView));
                    }
                });
        try {
            channel.connect(settings.group());
        } catch (Exception e) {
            close();
            throw new EnvironmentException(
                    "the conductor of host "
                            + settings.host()
                            + " cannot join group '"
                            + settings.group()
                            + "' on "
                            + settings.bind()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        log.info(
                "conductor {} joined group '{}' on {} (balancing {}; {})",
                settings.host(),
                settings.group(),
                settings.bind(),
                settings.balancing() ? "on" : "off: reports only",
                config);
        loop.scheduleAtFixedRate(
                this::round, 0, settings.reportPeriod().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The status of the last round (null before the first). */
    public ConductorStatus status() {
        return status;
    }

    @Override
    public void close() {
        // Leaving the group first lets the others see a clean leave at once.
        try {
            channel.close();
        } catch (RuntimeException e) {
            log.debug("closing the conductor's channel: {}", e.toString());
        }
        loop.shutdownNow();
        background.shutdownNow();
    }

    private void deliver(Message msg) {
        ConductorMessage message;
        try {
            message = ConductorMessage.decode(msg.getArray(), msg.getOffset(), msg.getLength());
        } catch (RuntimeException e) {
            log.warn("ignoring a message from {}: {}", nameOf(msg.getSrc()), e.getMessage());
            return;
        }
        Address src = msg.getSrc();
        submit(
                () -> {
                    switch (message) {
                        case Load m -> onLoad(m);
                        case Propose m -> onPropose(src, m);
                        case Answer m -> onAnswer(src, m);
                        case Commit m -> onCommit(src, m);
                        case Outcome m -> onOutcome(src, m);
                    }
                });
    }

    private void submit(Runnable task) {
        try {
            loop.execute(
                    () -> {
                        try {
                            task.run();
                        } catch (RuntimeException e) {
                            log.warn("conductor {}: {}", settings.host(), e.toString(), e);
                        }
                    });
        } catch (RejectedExecutionException closed) {
            // Closing: late deliveries are dropped.
        }
    }

    private void send(Address to, ConductorMessage message) {
        try {
            channel.send(new BytesMessage(to, ConductorMessage.encode(message)));
        } catch (Exception e) {
            log.debug(
                    "cannot send {} to {}: {}",
                    message,
                    to == null ? "the group" : to,
                    e.toString());
        }
    }

    private static String nameOf(Address address) {
        if (address == null) {
            return "?";
        }
        String name = NameCache.get(address);
        return name == null ? address.toString() : name;
    }

    // ---------------------------------------------------------------- the periodic round

    private void round() {
        try {
            Instant now = Instant.now();
            zones.update(samples.get());
            refreshMovable();
            expireReservation(now);
            if (outgoing != null
                    && !outgoing.committed()
                    && !now.isBefore(outgoing.sentAt().plus(config.reservationTimeout()))) {
                withdraw(
                        "no answer from "
                                + outgoing.proposal().receiverId()
                                + " within "
                                + config.reservationTimeout().toMillis()
                                + " ms");
            }
            send(null, new Load(settings.host(), zones.total(), incoming == null));
            refusedThisRound.clear();
            proposalsThisRound = 0;
            if (settings.balancing() && outgoing == null) {
                decide(now);
            }
            publish(now);
        } catch (RuntimeException e) {
            log.warn("conductor round failed: {}", e.toString(), e);
        }
    }

    /** Asks the mover which zones may move, off the loop thread; the next round uses the answer. */
    private void refreshMovable() {
        if (!askingMovable.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(
                    () -> {
                        try {
                            movable = mover.movableZones(settings.host()).orElse(null);
                        } catch (RuntimeException e) {
                            // The coordinator may be restarting: keep the last answer.
                            log.debug("movable zones unknown: {}", e.getMessage());
                        } finally {
                            askingMovable.set(false);
                        }
                    });
        } catch (RejectedExecutionException closed) {
            askingMovable.set(false);
        }
    }

    private boolean mayMove(String zone) {
        Set<String> allowed = movable;
        return zones.contains(zone) && (allowed == null || allowed.contains(zone));
    }

    private void expireReservation(Instant now) {
        if (incoming != null
                && !incoming.reservation().committed()
                && !now.isBefore(
                        incoming.reservation().acceptedAt().plus(config.reservationTimeout()))) {
            log.info(
                    "reservation for {} from {} expired uncommitted",
                    incoming.reservation().zoneId(),
                    incoming.reservation().senderId());
            incoming = null;
        }
    }

    private void decide(Instant now) {
        List<HostLoadReport> peers = new ArrayList<>();
        for (HostLoadReport r : reports.values()) {
            if (!members.containsKey(r.hostId())) {
                continue;
            }
            // A host that refused this round is not asked again until its next report.
            peers.add(
                    refusedThisRound.contains(r.hostId())
                            ? new HostLoadReport(r.hostId(), r.loadPct(), r.reportedAt(), false)
                            : r);
        }
        // The host's load counts every zone; only those that may move are candidates.
        ConductorView view =
                new ConductorView(
                        settings.host(),
                        now,
                        zones.total(),
                        zones.zones().stream().filter(z -> mayMove(z.zoneId())).toList(),
                        peers,
                        Optional.ofNullable(lastMigrationAt),
                        outgoing != null,
                        false);
        TransferDecision decision = balancer.decideTransfer(view, config);
        if (!decision.reason().equals(lastDecision)) {
            log.debug("decision: {}", decision.reason());
        }
        lastDecision = decision.reason();
        if (decision.proposal().isEmpty()) {
            return;
        }
        MigrationProposal proposal = decision.proposal().get();
        Address to = members.get(proposal.receiverId());
        long id = ++nextProposalId;
        outgoing = new Outgoing(id, proposal, to, now, false);
        proposalsThisRound++;
        proposalsSent++;
        log.info("proposal {}: {}", id, decision.reason());
        send(to, new Propose(id, proposal));
    }

    // ---------------------------------------------------------------- messages

    private void onLoad(Load m) {
        if (m.host().equals(settings.host())) {
            return;
        }
        // Stamped on arrival: ages are then measured on one clock.
        reports.put(
                m.host(),
                new HostLoadReport(m.host(), m.loadPct(), Instant.now(), m.acceptsZones()));
    }

    private void onPropose(Address src, Propose m) {
        Instant now = Instant.now();
        MigrationProposal p = m.proposal();
        ProposalResponse response;
        if (!p.receiverId().equals(settings.host())) {
            response =
                    new ProposalResponse(
                            false,
                            "proposal for " + p.receiverId() + " reached " + settings.host());
        } else if (!settings.balancing()) {
            response = new ProposalResponse(false, "load balancing is off on " + settings.host());
        } else {
            expireReservation(now);
            Optional<IncomingReservation> held =
                    Optional.ofNullable(incoming).map(Incoming::reservation);
            response =
                    balancer.decideProposal(
                            new ReceiverView(settings.host(), now, zones.total(), held, false),
                            p,
                            config);
            if (response.accepted()) {
                IncomingReservation reservation =
                        held.filter(
                                        r ->
                                                r.senderId().equals(p.senderId())
                                                        && r.zoneId().equals(p.zoneId()))
                                .orElse(
                                        new IncomingReservation(
                                                p.senderId(), p.zoneId(), now, false));
                incoming = new Incoming(src, m.id(), reservation);
            }
        }
        log.info(
                "{} {} from {}: {}",
                response.accepted() ? "accepted" : "refused",
                p.zoneId(),
                p.senderId(),
                response.reason());
        send(src, new Answer(m.id(), response.accepted(), response.reason()));
    }

    private void onAnswer(Address src, Answer a) {
        Outgoing o = outgoing;
        if (o == null || o.id() != a.id() || o.committed() || !o.to().equals(src)) {
            if (a.accepted()) {
                // Withdrawn meanwhile (timed out, receiver left and came back): free its slot.
                send(src, new Outcome(a.id(), false, "proposal withdrawn"));
            }
            return;
        }
        String receiver = o.proposal().receiverId();
        String zone = o.proposal().zoneId();
        if (!a.accepted()) {
            proposalsRefused++;
            refusedThisRound.add(receiver);
            outgoing = null;
            lastDecision = "proposal of " + zone + " refused by " + receiver + ": " + a.reason();
            log.info("{}", lastDecision);
            if (settings.balancing() && proposalsThisRound < MAX_PROPOSALS_PER_ROUND) {
                decide(Instant.now());
            }
            return;
        }
        Duration age = Duration.between(o.sentAt(), Instant.now());
        if (age.compareTo(config.reservationTimeout().dividedBy(2)) > 0) {
            // The receiver's reservation may expire before the move starts: do not commit.
            withdraw("the answer took " + age.toMillis() + " ms");
            return;
        }
        if (!mayMove(zone)) {
            withdraw("zone " + zone + " no longer runs here or may not move now");
            return;
        }
        proposalsAccepted++;
        Outgoing committed = o.commit();
        outgoing = committed;
        send(src, new Commit(o.id()));
        lastDecision = "moving " + zone + " to " + receiver + " (" + a.reason() + ")";
        log.info("commit {}: {}", o.id(), lastDecision);
        background.execute(
                () -> {
                    ZoneMover.Outcome result;
                    try {
                        result = mover.move(zone, receiver);
                    } catch (RuntimeException e) {
                        result = new ZoneMover.Outcome(false, e.toString());
                    }
                    ZoneMover.Outcome outcome = result;
                    submit(() -> moved(committed, outcome));
                });
    }

    /** Gives up the current uncommitted proposal and frees the receiver's slot if it took it. */
    private void withdraw(String why) {
        Outgoing o = outgoing;
        outgoing = null;
        refusedThisRound.add(o.proposal().receiverId());
        lastDecision = "withdrew the proposal of " + o.proposal().zoneId() + ": " + why;
        log.info("{}", lastDecision);
        send(o.to(), new Outcome(o.id(), false, "proposal withdrawn: " + why));
    }

    private void moved(Outgoing o, ZoneMover.Outcome result) {
        if (outgoing == null || outgoing.id() != o.id()) {
            return;
        }
        outgoing = null;
        lastMigrationAt = Instant.now();
        String zone = o.proposal().zoneId();
        String receiver = o.proposal().receiverId();
        if (result.moved()) {
            migrationsSent++;
            lastDecision = "moved " + zone + " to " + receiver + ": " + result.detail();
            log.info("{}", lastDecision);
        } else {
            migrationsFailed++;
            lastDecision = "moving " + zone + " to " + receiver + " failed: " + result.detail();
            log.warn("{}", lastDecision);
        }
        send(o.to(), new Outcome(o.id(), result.moved(), result.detail()));
    }

    private void onCommit(Address src, Commit c) {
        if (incoming == null || !incoming.matches(src, c.id())) {
            log.warn(
                    "commit {} from {} matches no reservation here (it expired); the move goes"
                            + " ahead",
                    c.id(),
                    nameOf(src));
            return;
        }
        IncomingReservation r = incoming.reservation();
        incoming =
                new Incoming(
                        src,
                        c.id(),
                        new IncomingReservation(r.senderId(), r.zoneId(), r.acceptedAt(), true));
    }

    private void onOutcome(Address src, Outcome o) {
        if (incoming == null || !incoming.matches(src, o.id())) {
            return;
        }
        String zone = incoming.reservation().zoneId();
        String sender = incoming.reservation().senderId();
        boolean wasCommitted = incoming.reservation().committed();
        incoming = null;
        if (o.moved()) {
            migrationsReceived++;
            lastMigrationAt = Instant.now();
            log.info("received {} from {}: {}", zone, sender, o.detail());
        } else if (wasCommitted) {
            log.warn("{} did not arrive from {}: {}", zone, sender, o.detail());
        } else {
            log.info("{} from {} not coming: {}", zone, sender, o.detail());
        }
    }

    private void onView(View v) {
        Map<String, Address> next = new TreeMap<>();
        List<String> names = new ArrayList<>();
        for (Address a : v.getMembers()) {
            String name = nameOf(a);
            names.add(name);
            if (!a.equals(channel.getAddress())) {
                next.put(name, a);
            }
        }
        Set<String> joined = new TreeSet<>(next.keySet());
        joined.removeAll(members.keySet());
        Set<String> left = new TreeSet<>(members.keySet());
        left.removeAll(next.keySet());
        members = next;
        view = names.stream().sorted().toList();
        viewChanges++;
        reports.keySet().retainAll(next.keySet());
        log.info(
                "group view {}: {}{}{}",
                v.getViewId(),
                view,
                joined.isEmpty() ? "" : "; joined " + joined,
                left.isEmpty() ? "" : "; left " + left);
        if (incoming != null && !v.containsMember(incoming.from())) {
            log.warn(
                    "{} left the group while its move of {} here was {}: slot freed",
                    incoming.reservation().senderId(),
                    incoming.reservation().zoneId(),
                    incoming.reservation().committed() ? "under way" : "reserved");
            incoming = null;
        }
        if (outgoing != null && !outgoing.committed() && !v.containsMember(outgoing.to())) {
            withdraw(outgoing.proposal().receiverId() + " left the group");
        }
    }

    private void publish(Instant now) {
        Instant oldest = now.minus(config.reportMaxAge());
        Map<String, Double> peers = new TreeMap<>();
        for (HostLoadReport r : reports.values()) {
            if (members.containsKey(r.hostId()) && !r.reportedAt().isBefore(oldest)) {
                peers.put(r.hostId(), r.loadPct());
            }
        }
        ConductorStatus s =
                new ConductorStatus(
                        settings.host(),
                        now.toEpochMilli(),
                        settings.balancing(),
                        view,
                        zones.total(),
                        incoming == null,
                        zones.asMap(),
                        peers,
                        lastDecision,
                        outgoing == null ? null : outgoing.describe(),
                        incoming == null ? null : incoming.describe(),
                        proposalsSent,
                        proposalsAccepted,
                        proposalsRefused,
                        migrationsSent,
                        migrationsFailed,
                        migrationsReceived,
                        viewChanges);
        status = s;
        if (publishing.compareAndSet(false, true)) {
            try {
                background.execute(
                        () -> {
                            try {
                                statusSink.accept(s);
                            } catch (RuntimeException e) {
                                // The coordinator may be restarting; the next round reports again.
                                log.debug("conductor status not delivered: {}", e.getMessage());
                            } finally {
                                publishing.set(false);
                            }
                        });
            } catch (RejectedExecutionException closed) {
                publishing.set(false);
            }
        }
    }
}
