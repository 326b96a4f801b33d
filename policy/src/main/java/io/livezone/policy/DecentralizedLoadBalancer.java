package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Decentralised, sender-initiated load balancing of zones across hosts, after the process migration
 * paper §IV. Every host runs a conductor; conductors broadcast their load periodically (information
 * policy) and each decides alone, from its own view, whether to hand one zone to another host.
 *
 * <ul>
 *   <li><b>Transfer policy</b> (who sends): a host whose load exceeds the critical threshold, or
 *       the estimated cluster mean by more than δ — but never a host at or below the mean, since
 *       the hosts above it should send first. The mean is estimated from the host's own load and
 *       the load reports younger than {@link LoadBalancerConfig#reportMaxAge()}; older ones belong
 *       to hosts that left. Beyond the paper, a host above the mean also sends when another host is
 *       more than δ <em>below</em> it, then only to such hosts: with the two triggers alone a host
 *       that just joined, empty, could stay empty for good, since k empty hosts among n push the
 *       others only about k/n of their deficit above the mean, which may be under δ. To keep every
 *       host above the mean from asking the same few hosts, the k-th most loaded host within δ
 *       above the mean feeds the k-th least loaded underloaded one, a pairing every host computes
 *       alike from the broadcasts.
 *   <li><b>Location policy</b> (to whom): among hosts below the mean that accept zones, the one
 *       whose deficit below the mean is closest to the sender's excess above it, so one move can
 *       level both. Receivers within δ/2 of that best match count as equally good and are tried in
 *       an order hashed from sender and receiver ids, so senders that share a view do not all ask
 *       the same host; the next candidates are tried when no zone fits.
 *   <li><b>Selection policy</b> (which zone): the zone whose CPU is closest to that difference —
 *       here the smaller of excess and deficit, so neither end is pushed past the mean by more than
 *       a zone's granularity. Only zones lighter than the sender–receiver gap qualify: such a move
 *       strictly lowers the sum of squared loads, so with steady loads moves cannot ping-pong.
 * </ul>
 *
 * <p>Moves are two-phase: the sender proposes, the receiver accepts with its own, fresher load
 * ({@link #decideProposal}) and reserves its single migration slot, then the sender commits by
 * starting the migration. After each move neither end sends for {@link
 * LoadBalancerConfig#calmDown()}, so their next decisions rest on load reports that include the
 * move. Receiving is not held back by calm-down: the receiver judges each proposal on its current
 * load, and its single slot already spaces arrivals out. A draining host (leaving the cluster)
 * sends its zones, largest first, to the least-loaded hosts (spread the same way among those within
 * δ/2 of the least loaded) regardless of the mean, and accepts none.
 *
 * <p>Stateless and pure: the same view and config always give the same decision.
 */
public final class DecentralizedLoadBalancer {

    /** Sender side: does this host propose a migration now, of which zone, to whom? */
    public TransferDecision decideTransfer(ConductorView view, LoadBalancerConfig config) {
        Objects.requireNonNull(view, "view is null");
        Objects.requireNonNull(config, "config is null");
        Instant oldest = view.now().minus(config.reportMaxAge());
        List<HostLoadReport> fresh =
                view.peers().stream().filter(p -> !p.reportedAt().isBefore(oldest)).toList();
        double sum = view.loadPct();
        for (HostLoadReport peer : fresh) {
            sum += peer.loadPct();
        }
        double mean = sum / (1 + fresh.size());

        if (view.sending()) {
            return stay(mean, "a migration from this host is already under way");
        }
        if (view.zones().isEmpty()) {
            return stay(mean, view.draining() ? "drained: no zones left" : "no zones to send");
        }
        if (view.draining()) {
            return drain(view, fresh, mean, config);
        }
        if (view.lastMigrationAt().isPresent()) {
            Instant calmUntil = view.lastMigrationAt().get().plus(config.calmDown());
            if (view.now().isBefore(calmUntil)) {
                return stay(mean, "calming down after a migration until " + calmUntil);
            }
        }
        double load = view.loadPct();
        double excess = load - mean;
        boolean critical = load > config.criticalLoadPct();
        if (excess <= 0) {
            return stay(
                    mean,
                    "load "
                            + Percent.format(load)
                            + " is not above the mean "
                            + Percent.format(mean)
                            + ": the hosts above it send first");
        }
        boolean overDelta = excess > config.deltaPct();
        double underloadedBelow = mean - config.deltaPct();
        List<HostLoadReport> receivers;
        if (critical || overDelta) {
            receivers = new ArrayList<>();
            for (HostLoadReport peer : fresh) {
                if (peer.acceptsZones() && peer.loadPct() < mean) {
                    receivers.add(peer);
                }
            }
        } else {
            List<HostLoadReport> underloaded =
                    fresh.stream()
                            .filter(p -> p.acceptsZones() && p.loadPct() < underloadedBelow)
                            .sorted(
                                    Comparator.comparingDouble(HostLoadReport::loadPct)
                                            .thenComparing(HostLoadReport::hostId))
                            .toList();
            // Every host computes the same pairing from the same broadcasts: the k-th most loaded
            // host within δ above the mean feeds the k-th least loaded underloaded host, so only
            // as many hosts send as there are hosts to feed, each to a different one. Hosts more
            // than δ above the mean, or above critical, send on their own trigger and take no
            // rank here.
            double ownTrigger = Math.min(mean + config.deltaPct(), config.criticalLoadPct());
            int rank = 0;
            for (HostLoadReport peer : fresh) {
                boolean ahead =
                        peer.loadPct() > load
                                || (peer.loadPct() == load
                                        && peer.hostId().compareTo(view.hostId()) < 0);
                if (ahead && peer.loadPct() <= ownTrigger) {
                    rank++;
                }
            }
            if (rank >= underloaded.size()) {
                return stay(
                        mean,
                        "load "
                                + Percent.format(load)
                                + " is within δ "
                                + Percent.format(config.deltaPct())
                                + " of the mean "
                                + Percent.format(mean)
                                + ", not above critical "
                                + Percent.format(config.criticalLoadPct())
                                + (underloaded.isEmpty()
                                        ? ", and no host is more than δ below the mean"
                                        : ", and the "
                                                + underloaded.size()
                                                + " host(s) more than δ below the mean are fed by"
                                                + " hosts above this one"));
            }
            receivers = new ArrayList<>(underloaded);
            receivers.add(0, receivers.remove(rank));
        }
        String trigger;
        if (critical) {
            trigger =
                    "load "
                            + Percent.format(load)
                            + " > critical "
                            + Percent.format(config.criticalLoadPct());
        } else if (overDelta) {
            trigger =
                    "load "
                            + Percent.format(load)
                            + " > mean "
                            + Percent.format(mean)
                            + " + δ "
                            + Percent.format(config.deltaPct());
        } else {
            trigger =
                    "load "
                            + Percent.format(load)
                            + " > mean "
                            + Percent.format(mean)
                            + " and "
                            + receivers.size()
                            + " host(s) below mean − δ "
                            + Percent.format(underloadedBelow);
        }
        List<HostLoadReport> ranked =
                critical || overDelta
                        ? spread(
                                view.hostId(),
                                receivers,
                                r -> Math.abs((mean - r.loadPct()) - excess),
                                config.deltaPct() / 2)
                        : receivers;
        for (HostLoadReport receiver : ranked) {
            double target = Math.min(excess, mean - receiver.loadPct());
            Optional<ZoneLoad> zone = closestZone(view.zones(), target, load, receiver, config);
            if (zone.isPresent()) {
                return propose(
                        view,
                        receiver,
                        zone.get(),
                        mean,
                        trigger
                                + ": propose "
                                + zone.get().zoneId()
                                + " ("
                                + Percent.format(zone.get().cpuPct())
                                + ", target "
                                + Percent.format(target)
                                + ") to "
                                + receiver.hostId()
                                + " at "
                                + Percent.format(receiver.loadPct()));
            }
        }
        return stay(
                mean,
                trigger
                        + ", but no host below the mean can take a zone that narrows the gap"
                        + " (of "
                        + fresh.size()
                        + " fresh reports, "
                        + receivers.size()
                        + " below the mean and accepting)");
    }

    /**
     * Receiver side of phase two: accept (the caller then reserves its slot) or reject a proposal,
     * judged on the receiver's current load rather than the broadcast the sender saw.
     */
    public ProposalResponse decideProposal(
            ReceiverView view, MigrationProposal proposal, LoadBalancerConfig config) {
        Objects.requireNonNull(view, "view is null");
        Objects.requireNonNull(proposal, "proposal is null");
        Objects.requireNonNull(config, "config is null");
        if (!proposal.receiverId().equals(view.hostId())) {
            throw new InvalidInputException(
                    "proposal for " + proposal.receiverId() + " was delivered to " + view.hostId());
        }
        if (view.draining()) {
            return ProposalResponse.reject("draining: accepts no zones");
        }
        if (view.reservation().isPresent()) {
            IncomingReservation held = view.reservation().get();
            if (held.senderId().equals(proposal.senderId())
                    && held.zoneId().equals(proposal.zoneId())) {
                // A retransmitted proposal must get the same answer, not be refused by its own
                // reservation.
                return ProposalResponse.accept("already reserved for this proposal");
            }
            boolean expired =
                    !held.committed()
                            && !view.now()
                                    .isBefore(held.acceptedAt().plus(config.reservationTimeout()));
            if (!expired) {
                return ProposalResponse.reject(
                        "busy: receiving "
                                + held.zoneId()
                                + " from "
                                + held.senderId()
                                + " (one migration at a time)");
            }
        }
        double after = view.loadPct() + proposal.zoneCpuPct();
        if (after > config.criticalLoadPct()) {
            return ProposalResponse.reject(
                    "taking "
                            + proposal.zoneId()
                            + " would raise load to "
                            + Percent.format(after)
                            + " > critical "
                            + Percent.format(config.criticalLoadPct()));
        }
        // A leaving host must send whatever the balance; only the critical bound applies.
        if (!proposal.senderDraining() && after >= proposal.senderLoadPct()) {
            return ProposalResponse.reject(
                    "the move no longer narrows the gap: load "
                            + Percent.format(view.loadPct())
                            + " + "
                            + Percent.format(proposal.zoneCpuPct())
                            + " is not below the sender's "
                            + Percent.format(proposal.senderLoadPct()));
        }
        return ProposalResponse.accept(
                "accepts "
                        + proposal.zoneId()
                        + ": load "
                        + Percent.format(view.loadPct())
                        + " → "
                        + Percent.format(after));
    }

    /**
     * The zone nearest {@code target} among those lighter than the sender–receiver gap that keep
     * the receiver at or below critical; equal distances prefer the lighter zone, then the id.
     */
    private static Optional<ZoneLoad> closestZone(
            List<ZoneLoad> zones,
            double target,
            double senderLoad,
            HostLoadReport receiver,
            LoadBalancerConfig config) {
        double gap = senderLoad - receiver.loadPct();
        ZoneLoad best = null;
        for (ZoneLoad zone : zones) {
            double cpu = zone.cpuPct();
            if (cpu <= 0 || cpu >= gap || receiver.loadPct() + cpu > config.criticalLoadPct()) {
                continue;
            }
            if (best == null) {
                best = zone;
                continue;
            }
            double distance = Math.abs(cpu - target);
            double bestDistance = Math.abs(best.cpuPct() - target);
            if (distance < bestDistance
                    || (distance == bestDistance
                            && (cpu < best.cpuPct()
                                    || (cpu == best.cpuPct()
                                            && zone.zoneId().compareTo(best.zoneId()) < 0)))) {
                best = zone;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Leaving: largest zone first, to the least-loaded accepting host it fits on. */
    private static TransferDecision drain(
            ConductorView view,
            List<HostLoadReport> fresh,
            double mean,
            LoadBalancerConfig config) {
        List<HostLoadReport> receivers =
                spread(
                        view.hostId(),
                        fresh.stream().filter(HostLoadReport::acceptsZones).toList(),
                        HostLoadReport::loadPct,
                        config.deltaPct() / 2);
        List<ZoneLoad> zones =
                view.zones().stream()
                        .sorted(
                                Comparator.comparingDouble(ZoneLoad::cpuPct)
                                        .reversed()
                                        .thenComparing(ZoneLoad::zoneId))
                        .toList();
        for (ZoneLoad zone : zones) {
            for (HostLoadReport receiver : receivers) {
                if (receiver.loadPct() + zone.cpuPct() <= config.criticalLoadPct()) {
                    return propose(
                            view,
                            receiver,
                            zone,
                            mean,
                            "draining: propose "
                                    + zone.zoneId()
                                    + " ("
                                    + Percent.format(zone.cpuPct())
                                    + ") to "
                                    + receiver.hostId()
                                    + " at "
                                    + Percent.format(receiver.loadPct()));
                }
            }
        }
        return stay(
                mean,
                "draining, but no accepting host has room below critical "
                        + Percent.format(config.criticalLoadPct())
                        + " for any of "
                        + zones.size()
                        + " zones");
    }

    /**
     * Candidates by {@code score}, lowest first — except that those within {@code tolerance} of the
     * best are ordered by a hash of sender and receiver ids (rendezvous hashing). Conductors decide
     * on the same broadcasts, so without this every sender would ask the same receiver and all but
     * one would be refused; with it they spread over the near-equal receivers, still
     * deterministically.
     */
    private static List<HostLoadReport> spread(
            String senderId,
            List<HostLoadReport> candidates,
            ToDoubleFunction<HostLoadReport> score,
            double tolerance) {
        List<HostLoadReport> byScore = new ArrayList<>(candidates);
        byScore.sort(Comparator.comparingDouble(score).thenComparing(HostLoadReport::hostId));
        if (byScore.isEmpty()) {
            return byScore;
        }
        double limit = score.applyAsDouble(byScore.get(0)) + tolerance;
        int near = 0;
        while (near < byScore.size() && score.applyAsDouble(byScore.get(near)) <= limit) {
            near++;
        }
        byScore.subList(0, near)
                .sort(
                        Comparator.comparingLong(
                                        (HostLoadReport r) -> rendezvous(senderId, r.hostId()))
                                .thenComparing(HostLoadReport::hostId));
        return byScore;
    }

    /** A well-mixed hash of the pair; String.hashCode is fixed by the Java spec, so is this. */
    static long rendezvous(String senderId, String receiverId) {
        long h = senderId.hashCode() * 0x9E3779B97F4A7C15L + receiverId.hashCode();
        // SplitMix64's finaliser.
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    private static TransferDecision propose(
            ConductorView view,
            HostLoadReport receiver,
            ZoneLoad zone,
            double mean,
            String reason) {
        MigrationProposal proposal =
                new MigrationProposal(
                        view.hostId(),
                        receiver.hostId(),
                        zone.zoneId(),
                        zone.cpuPct(),
                        view.loadPct(),
                        receiver.loadPct(),
                        mean,
                        view.draining());
        return new TransferDecision(Optional.of(proposal), mean, reason);
    }

    private static TransferDecision stay(double mean, String reason) {
        return new TransferDecision(Optional.empty(), mean, reason);
    }
}
