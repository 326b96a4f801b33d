package io.livezone.coordinator.plan;

import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.plan.MoveResolution.Action;
import io.livezone.coordinator.plan.MoveResolution.Phase;
import io.livezone.coordinator.plan.MoveResolution.Side;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.MigrationReport;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.DiskMirrorRequest;
import io.livezone.core.cluster.DiskTicket;
import io.livezone.core.cluster.IncomingRequest;
import io.livezone.core.cluster.IncomingTicket;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.fault.Failpoints;
import io.livezone.core.http.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One move of a zone between hosts, libvirt's Prepare → Perform → Finish → Confirm as a small
 * transaction whose every step is stored before it is taken:
 *
 * <ol>
 *   <li>prepare: the destination starts a VM that waits for the stream (paused, {@code -S});
 *   <li>transfer: the source sends the zone (disk mirror first, if the disk moves), pauses at the
 *       switchover and completes — or, with post-copy, the destination starts running mid-way;
 *   <li>commit: stored as COMMITTING, then the destination is continued and confirmed running for a
 *       grace period;
 *   <li>release: the registry names the destination, then the stopped source is ended.
 * </ol>
 *
 * Any step that fails hands over to {@link #resolve}: both hosts are asked what their QEMU runs,
 * and {@link MoveResolution} decides — adopt the destination, commit, roll back (fence the
 * destination, then resume the source), wait, or declare the zone at risk. Nothing here resumes a
 * source or discards a destination on a belief.
 */
final class MoveTransaction {
    private static final Logger log = LoggerFactory.getLogger(MoveTransaction.class);
    private static final Duration PROGRESS_POLL = Duration.ofMillis(500);
    private static final Duration RESOLVE_RETRY = Duration.ofSeconds(2);

    /** A move's stored record, as the plan's run keeps it. */
    interface Record {
        MoveRecord get();

        void set(MoveRecord m);
    }

    private final long plan;
    private final MigrationSettings settings;
    private final Registry registry;
    private final Function<String, AgentGateway> agents;
    private final StorageService storage;
    private final ExecutorService threads;
    private final Record record;
    private final Supplier<String> stopReason;
    private final java.util.function.BooleanSupplier cancelled;
    private final Duration resolveDeadline;

    MoveTransaction(
            long plan,
            MigrationSettings settings,
            Registry registry,
            Function<String, AgentGateway> agents,
            StorageService storage,
            ExecutorService threads,
            Record record,
            Supplier<String> stopReason,
            java.util.function.BooleanSupplier cancelled,
            Duration resolveDeadline) {
        this.plan = plan;
        this.settings = settings;
        this.registry = registry;
        this.agents = agents;
        this.storage = storage;
        this.threads = threads;
        this.record = record;
        this.stopReason = stopReason;
        this.cancelled = cancelled;
        this.resolveDeadline = resolveDeadline;
    }

    /** Runs the move from PREPARING to its end; {@code staged}: a destination prepared ahead. */
    void run(Optional<IncomingTicket> staged) {
        MoveRecord m = record.get();
        ZoneRecord zone;
        AgentGateway src;
        AgentGateway dst;
        try {
            zone = registry.zone(m.zone());
            src = agents.apply(m.source());
            dst = agents.apply(m.destination());
        } catch (RuntimeException e) {
            // Nothing migrated yet (e.g. the zone was deleted while its move waited); a
            // destination staged for it never ran and goes.
            staged.ifPresent(t -> discardQuietly(m.destination(), m.zone()));
            record.set(record.get().failed(MoveState.FAILED, e.getMessage()));
            log.warn("plan {}: move of {} cannot start: {}", plan, m.zone(), e.getMessage());
            return;
        }
        registry.putZone(zone.in(ZoneLifecycle.MIGRATING));
        DiskDefinition disk = zone.definition().disk();
        boolean mirrored = disk != null && disk.local();
        boolean prepared = false;
        boolean mirroring = false;
        ZoneDefinition there = null;
        DiskTicket diskTicket = null;
        MigrationReport report;
        try {
            if (mirrored && disk.image() != null) {
                storage.ensureBase(disk.image(), m.destination(), m.zone());
            }
            there = storage.forHost(zone.definition(), m.destination());
            ZoneDefinition arriving = there;
            IncomingTicket ticket =
                    staged.orElseGet(() -> prepare(dst, new IncomingRequest(arriving, settings)));
            prepared = true;
            record.set(record.get().in(MoveState.MIGRATING));
            stopIfAsked();
            var poller = threads.submit(() -> pollProgress(src, m.zone()));
            try {
                if (mirrored) {
                    diskTicket = dst.incomingDisk(m.zone());
                    mirroring = true;
                    src.mirrorDisk(
                            m.zone(),
                            new DiskMirrorRequest(
                                    diskTicket,
                                    registry.linkBetween(m.source(), m.destination()),
                                    settings.maxBandwidthBytesPerSec()));
                    stopIfAsked();
                }
                report =
                        src.migrateOut(
                                m.zone(),
                                new MigrateOutRequest(
                                        ticket,
                                        settings,
                                        registry.linkBetween(m.source(), m.destination())));
            } finally {
                poller.cancel(true);
            }
        } catch (RuntimeException e) {
            if (mirroring) {
                abortMirror(src, m.zone());
            }
            if (!prepared) {
                // No destination exists: the source never stopped.
                registry.putZone(zone.in(ZoneLifecycle.RUNNING));
                finish(MoveState.FAILED, e.getMessage());
                return;
            }
            resolve(e.getMessage(), there, diskTicket, disk);
            return;
        }
        // The source completed: store the commit decision before continuing the destination.
        record.set(
                record.get()
                        .measured(
                                report.transferredBytes(),
                                report.downtimeMillis(),
                                report.totalMillis())
                        .in(MoveState.COMMITTING));
        long commitStart = System.nanoTime();
        Failpoints.reach("coordinator.commit");
        try {
            dst.commitIncoming(m.zone());
        } catch (RuntimeException e) {
            resolve("commit failed: " + e.getMessage(), there, diskTicket, disk);
            return;
        }
        log.info(
                "plan {}: {} committed on {} in {} ms (stored decision, continue, {} ms grace)",
                plan,
                m.zone(),
                m.destination(),
                (System.nanoTime() - commitStart) / 1_000_000,
                1000);
        adoptDestination(there, diskTicket, disk);
    }

    /**
     * Prepares the destination. A VM already waiting there for this zone (staged by a coordinator
     * that then restarted) never ran: it is discarded and prepared anew.
     */
    private static IncomingTicket prepare(AgentGateway dst, IncomingRequest request) {
        try {
            return dst.prepareIncoming(request);
        } catch (ApiException e) {
            String zone = request.zone().name();
            if (e.status() != 409 || side(dst, zone).kind() != MoveResolution.Kind.WAITING) {
                throw e;
            }
            log.info("{}: a destination left waiting by an earlier run is replaced", zone);
            dst.discardIncoming(zone);
            return dst.prepareIncoming(request);
        }
    }

    /**
     * After a coordinator restart: settles a move the store says was in flight. A move rolled back
     * goes back to PENDING, so its plan runs it again.
     */
    void recover() {
        MoveRecord m = record.get();
        ZoneRecord zone;
        try {
            zone = registry.zone(m.zone());
        } catch (RuntimeException e) {
            finish(MoveState.FAILED, "cannot settle after a restart: " + e.getMessage());
            return;
        }
        ZoneDefinition there = storage.forHost(zone.definition(), m.destination());
        resolve("coordinator restarted mid-move", there, null, zone.definition().disk());
        MoveRecord after = record.get();
        if (after.state() == MoveState.FAILED
                && after.error() != null
                && after.error().startsWith("rolled back:")) {
            record.set(MoveRecord.pending(m.zone(), m.source(), m.destination()));
        }
    }

    private void stopIfAsked() {
        String reason = stopReason.get();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
    }

    /**
     * Asks both hosts what their QEMU holds and acts on {@link MoveResolution}, until the move is
     * settled or its deadline passes.
     */
    private void resolve(
            String cause, ZoneDefinition there, DiskTicket diskTicket, DiskDefinition disk) {
        MoveRecord m = record.get();
        AgentGateway src = agents.apply(m.source());
        AgentGateway dst = agents.apply(m.destination());
        long deadline = System.nanoTime() + resolveDeadline.toNanos();
        String lastWait = null;
        while (true) {
            Phase phase = phaseOf(record.get().state());
            Side source = side(src, m.zone());
            Side destination = side(dst, m.zone());
            Action action = MoveResolution.decide(phase, source, destination);
            log.info(
                    "plan {}: move of {} after '{}': source {}, destination {}, phase {} → {}",
                    plan,
                    m.zone(),
                    cause,
                    source.detail(),
                    destination.detail(),
                    phase,
                    action);
            try {
                switch (action) {
                    case Action.AdoptDestination a -> {
                        closeArrival(dst, m.zone());
                        adoptDestination(there, diskTicket, disk);
                        return;
                    }
                    case Action.Commit c -> {
                        record.set(record.get().in(MoveState.COMMITTING));
                        dst.commitIncoming(m.zone());
                        adoptDestination(there, diskTicket, disk);
                        return;
                    }
                    case Action.RollBack r -> {
                        String left = "";
                        if (destination.kind() == MoveResolution.Kind.UNREACHABLE) {
                            // Only with a running source and before any commit: that VM never
                            // ran and cannot run; its agent discards it when it is back.
                            left =
                                    "; the destination's waiting VM on "
                                            + m.destination()
                                            + " could not be discarded (its agent does not"
                                            + " answer), it never ran";
                        } else if (destination.kind() != MoveResolution.Kind.ABSENT) {
                            fenceDestination(dst, m.zone(), destination);
                        }
                        if (r.resumeSource()) {
                            src.resumeSource(m.zone());
                        }
                        registry.findZone(m.zone())
                                .ifPresent(
                                        z ->
                                                registry.putZone(
                                                        z.on(m.source(), ZoneLifecycle.RUNNING)));
                        finish(
                                cancelled.getAsBoolean() ? MoveState.CANCELLED : MoveState.FAILED,
                                "rolled back: "
                                        + cause
                                        + "; the zone runs on "
                                        + m.source()
                                        + left);
                        return;
                    }
                    case Action.RecoverPostcopy rp -> {
                        IncomingTicket ticket = dst.recoverIncoming(m.zone());
                        src.resumePostcopy(
                                m.zone(),
                                new MigrateOutRequest(
                                        ticket,
                                        settings,
                                        registry.linkBetween(m.source(), m.destination())));
                        dst.commitIncoming(m.zone());
                        log.info("plan {}: post-copy of {} recovered", plan, m.zone());
                        adoptDestination(there, diskTicket, disk);
                        return;
                    }
                    case Action.CancelAndWait c -> src.cancelMigration(m.zone());
                    case Action.Wait w -> lastWait = w.why();
                    case Action.AtRisk r -> {
                        markLost(m.zone());
                        finish(MoveState.FAILED, "zone at risk: " + cause + "; " + r.why());
                        return;
                    }
                }
            } catch (RuntimeException e) {
                // The action itself failed (an agent went away in between): look again.
                lastWait = action + " failed: " + e.getMessage();
                log.warn("plan {}: move of {}: {}", plan, m.zone(), lastWait);
            }
            if (System.nanoTime() > deadline) {
                markLost(m.zone());
                finish(
                        MoveState.FAILED,
                        "zone at risk: "
                                + cause
                                + "; still unresolved after "
                                + resolveDeadline.toSeconds()
                                + " s ("
                                + lastWait
                                + "); nothing was resumed or discarded");
                return;
            }
            try {
                Thread.sleep(RESOLVE_RETRY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // coordinator shutdown: recovery settles the move at the next start
            }
        }
    }

    /**
     * A destination that runs the zone without its commit (it completed a post-copy while the
     * coordinator was away) still holds its arrival — the monitor connection, the stream's
     * listener: the commit, repeated, confirms it and lets them go. Answered at once by a
     * destination already committed.
     */
    private void closeArrival(AgentGateway dst, String zone) {
        try {
            dst.commitIncoming(zone);
        } catch (RuntimeException e) {
            log.warn("plan {}: {}'s arrival could not be closed: {}", plan, zone, e.getMessage());
        }
    }

    /** The registry calls the zone at risk: where it really is, an operator must decide. */
    private void markLost(String zone) {
        registry.findZone(zone).ifPresent(z -> registry.putZone(z.in(ZoneLifecycle.LOST)));
    }

    private static Phase phaseOf(MoveState s) {
        return switch (s) {
            case POSTCOPY -> Phase.POSTCOPY;
            case COMMITTING -> Phase.COMMITTING;
            default -> Phase.TRANSFER;
        };
    }

    private static Side side(AgentGateway agent, String zone) {
        try {
            return Side.of(agent.zones().stream().filter(z -> z.zone().equals(zone)).findFirst());
        } catch (RuntimeException e) {
            return Side.unreachable(e.getMessage());
        }
    }

    /** Ends a destination copy that never became the zone (a running one is stopped outright). */
    private static void fenceDestination(AgentGateway dst, String zone, Side destination) {
        dst.endCopy(zone, destination.neverRanHere());
    }

    private void adoptDestination(
            ZoneDefinition there, DiskTicket diskTicket, DiskDefinition disk) {
        MoveRecord m = record.get();
        ZoneDefinition definition = there;
        if (diskTicket != null && diskTicket.sync() == DiskTicket.Sync.FULL) {
            // The disk arrived as one standalone image: no base below it any more.
            definition = definition.withDisk(definition.disk().standalone());
        }
        registry.putZone(new ZoneRecord(definition, m.destination(), ZoneLifecycle.RUNNING));
        AgentGateway src = agents.apply(m.source());
        if (disk != null && disk.local()) {
            recordDiskMove(src, m, disk);
        }
        Failpoints.reach("coordinator.release");
        try {
            src.releaseMigrated(m.zone());
        } catch (RuntimeException e) {
            log.warn(
                    "zone {} moved but its old VM on {} was not released: {}",
                    m.zone(),
                    m.source(),
                    e.getMessage());
        }
        record.set(record.get().in(MoveState.DONE));
        log.info(
                "plan {}: {} {} -> {} done (downtime {} ms)",
                plan,
                m.zone(),
                m.source(),
                m.destination(),
                record.get().downtimeMillis());
    }

    private void finish(MoveState state, String why) {
        record.set(record.get().failed(state, why));
        log.warn("plan {}: move of {} {}: {}", plan, record.get().zone(), state, why);
    }

    private void discardQuietly(String host, String zone) {
        try {
            agents.apply(host).discardIncoming(zone);
        } catch (RuntimeException e) {
            log.warn("could not discard {} on {}: {}", zone, host, e.getMessage());
        }
    }

    private void abortMirror(AgentGateway src, String zone) {
        try {
            src.abortDiskMirror(zone);
        } catch (RuntimeException a) {
            log.warn("could not stop the disk mirror of {}: {}", zone, a.getMessage());
        }
    }

    private void recordDiskMove(AgentGateway src, MoveRecord m, DiskDefinition disk) {
        try {
            StorageTransfer t = src.outgoingDisk(m.zone());
            storage.record(t, m.zone(), disk.image(), m.source(), m.destination());
        } catch (RuntimeException e) {
            log.warn("no disk transfer figures for {}: {}", m.zone(), e.getMessage());
        }
    }

    /**
     * Feeds the move's progress; the first report of post-copy is stored at once: from then on the
     * move is past its point of no return, whatever happens to this coordinator.
     */
    private void pollProgress(AgentGateway src, String zone) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(PROGRESS_POLL.toMillis());
                src.progress(zone)
                        .ifPresent(
                                p -> {
                                    MoveRecord cur = record.get();
                                    if (p.status().startsWith("postcopy")
                                            && cur.state() == MoveState.MIGRATING) {
                                        record.set(cur.in(MoveState.POSTCOPY));
                                        log.info("plan {}: {} is in post-copy", plan, zone);
                                    } else if (cur.state() == MoveState.MIGRATING
                                            || cur.state() == MoveState.POSTCOPY) {
                                        record.set(cur.progress(p.percent(), p.transferredBytes()));
                                    }
                                });
            }
        } catch (InterruptedException e) {
            // the migration ended
        } catch (RuntimeException e) {
            log.debug("progress of {} unavailable: {}", zone, e.getMessage());
        }
    }
}
