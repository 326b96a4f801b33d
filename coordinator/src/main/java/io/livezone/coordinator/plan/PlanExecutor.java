package io.livezone.coordinator.plan;

import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.plan.PlanRecord.PlanState;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.InvalidInputException;
import io.livezone.core.MigrationReport;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.DiskMirrorRequest;
import io.livezone.core.cluster.DiskTicket;
import io.livezone.core.cluster.IncomingRequest;
import io.livezone.core.cluster.IncomingTicket;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.http.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs migration plans against the host agents. Each move is a small transaction — prepare the
 * destination, migrate from the source, confirm the destination runs, then release the source — and
 * its state is stored before each step, so a zone is never lost or run twice: until the destination
 * is confirmed the source holds the zone (running, or stopped with its full state), and after it
 * the registry names the destination before the source is released.
 *
 * <p>A zone with a local disk takes its disk along: the base image goes to the destination's site
 * first if that site lacks it (once for all zones on that base), the destination prepares an
 * overlay on it (or a blank disk) and exports it, the source mirrors the disk while the zone runs,
 * and the memory migration's switchover pause ends the mirror — one switchover for both. A zone
 * whose disk another host serves moves its memory only; {@link #pullDisk} makes such a disk local.
 */
public final class PlanExecutor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PlanExecutor.class);
    private static final Duration PROGRESS_POLL = Duration.ofMillis(500);

    /** Builds the dispatcher for a plan's algorithm; unknown names are an input error. */
    @FunctionalInterface
    public interface DispatcherFactory {
        MoveDispatcher create(String algorithm, Registry registry, List<MoveRecord> moves);
    }

    private final Registry registry;
    private final Function<String, AgentGateway> agents;
    private final DispatcherFactory dispatchers;
    private final StorageService storage;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Long, Run> runs = new ConcurrentHashMap<>();
    private final Map<Long, PlanRecord> finished = new ConcurrentHashMap<>();
    private volatile boolean closing;

    public PlanExecutor(
            Registry registry,
            Function<String, AgentGateway> agents,
            DispatcherFactory dispatchers) {
        this.registry = registry;
        this.agents = agents;
        this.dispatchers = dispatchers;
        this.storage = new StorageService(registry, agents);
        registry.store().plans().stream()
                .filter(p -> p.state() != PlanState.RUNNING)
                .forEach(p -> finished.put(p.id(), p));
    }

    /** Validates and starts a plan; nothing changes if the plan is invalid. */
    public synchronized PlanRecord submit(PlanRequest request) {
        List<MoveRecord> moves = validate(request);
        dispatchers.create(request.algorithm(), registry, moves); // rejects unknown algorithms
        PlanRecord plan =
                registry.store()
                        .insertPlan(
                                new PlanRecord(
                                        0,
                                        request.algorithm(),
                                        PlanState.RUNNING,
                                        request.settings(),
                                        request.timeoutSeconds(),
                                        System.currentTimeMillis(),
                                        0,
                                        moves));
        start(plan);
        log.info("plan {} ({}, {} moves) started", plan.id(), plan.algorithm(), moves.size());
        return plan;
    }

    public Optional<PlanRecord> plan(long id) {
        Run r = runs.get(id);
        return r != null ? Optional.of(r.snapshot()) : Optional.ofNullable(finished.get(id));
    }

    public List<PlanRecord> plans() {
        Map<Long, PlanRecord> all = new java.util.TreeMap<>(finished);
        runs.forEach((id, r) -> all.put(id, r.snapshot()));
        return List.copyOf(all.values());
    }

    /** Cancels a running plan: pending moves are dropped, running ones aborted at their source. */
    public PlanRecord cancel(long id) {
        Run r = runs.get(id);
        if (r == null) {
            if (finished.containsKey(id)) {
                throw ApiException.conflict("plan " + id + " has already finished");
            }
            throw ApiException.notFound("unknown plan " + id);
        }
        r.stop("cancelled by operator", PlanState.CANCELLED);
        return r.snapshot();
    }

    /**
     * After a coordinator restart: settles every move that was in flight by asking both agents
     * where the zone is, then continues the plans that were running.
     */
    public void recover() {
        for (PlanRecord p : registry.store().plans()) {
            if (p.state() != PlanState.RUNNING) {
                continue;
            }
            List<MoveRecord> moves = new ArrayList<>(p.moves());
            for (int i = 0; i < moves.size(); i++) {
                MoveRecord m = moves.get(i);
                if (m.state().inFlight()) {
                    MoveRecord settled = settle(m);
                    moves.set(i, settled);
                    registry.store().putMove(p.id(), i, settled);
                    log.info(
                            "plan {}: move of {} was {} at restart; now {}",
                            p.id(),
                            m.zone(),
                            m.state(),
                            settled.state());
                }
            }
            start(
                    new PlanRecord(
                            p.id(),
                            p.algorithm(),
                            p.state(),
                            p.settings(),
                            p.timeoutSeconds(),
                            p.createdMillis(),
                            0,
                            moves));
        }
    }

    /** Where a move interrupted by a restart really ended up. */
    private MoveRecord settle(MoveRecord m) {
        AgentGateway src = agents.apply(m.source());
        AgentGateway dst = agents.apply(m.destination());
        try {
            Optional<ZoneStatus> s = find(src, m.zone());
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (s.isPresent()
                    && s.get().state() == ZoneState.MIGRATING
                    && System.nanoTime() < deadline) {
                Thread.sleep(500); // the source agent finishes the migration it was running
                s = find(src, m.zone());
            }
            Optional<ZoneStatus> d = find(dst, m.zone());
            ZoneRecord zone = registry.zone(m.zone());
            if (d.isPresent()
                    && d.get().state() == ZoneState.INCOMING
                    && s.isPresent()
                    && s.get().state() == ZoneState.PAUSED) {
                dst.commitIncoming(m.zone());
                d = find(dst, m.zone());
            }
            if (d.isPresent() && d.get().state() == ZoneState.RUNNING) {
                registry.putZone(
                        new ZoneRecord(
                                storage.forHost(zone.definition(), m.destination()),
                                m.destination(),
                                ZoneLifecycle.RUNNING));
                if (s.isPresent()) {
                    src.releaseMigrated(m.zone());
                }
                return m.in(MoveState.DONE);
            }
            if (d.isPresent()) {
                dst.discardIncoming(m.zone());
            }
            if (s.isPresent() && s.get().state() == ZoneState.PAUSED) {
                src.resumeSource(m.zone());
            }
            registry.putZone(zone.on(m.source(), ZoneLifecycle.RUNNING));
            return MoveRecord.pending(m.zone(), m.source(), m.destination()); // run it again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return m.failed(MoveState.FAILED, "interrupted while recovering");
        } catch (RuntimeException e) {
            registry.findZone(m.zone()).ifPresent(z -> registry.putZone(z.in(ZoneLifecycle.LOST)));
            return m.failed(
                    MoveState.FAILED,
                    "coordinator restarted mid-move and could not confirm where the zone is: "
                            + e.getMessage());
        }
    }

    /**
     * Makes a zone's remote disk local to the host it runs on, while it runs: the zone's host
     * copies the disk from the storage host and switches to the copy; then the storage host stops
     * serving it. On failure the zone keeps its remote disk.
     */
    public ZoneRecord pullDisk(String name) {
        ZoneRecord zone;
        synchronized (this) {
            zone = registry.zone(name);
            DiskDefinition disk = zone.definition().disk();
            if (disk == null) {
                throw new InvalidInputException("zone '" + name + "' has no disk");
            }
            if (disk.remote() == null) {
                throw new InvalidInputException(
                        "the disk of zone '" + name + "' is already local to " + zone.host());
            }
            if (zone.state() != ZoneLifecycle.RUNNING) {
                throw ApiException.conflict(
                        "zone '" + name + "' is " + zone.state() + "; only running zones pull");
            }
            boolean planned =
                    runs.values().stream()
                            .flatMap(r -> r.snapshot().moves().stream())
                            .anyMatch(m -> m.zone().equals(name) && !m.state().finished());
            if (planned) {
                throw ApiException.conflict("zone '" + name + "' is being moved by a plan");
            }
            // MIGRATING keeps plans and deletes away while the disk moves.
            registry.putZone(zone.in(ZoneLifecycle.MIGRATING));
        }
        DiskDefinition disk = zone.definition().disk();
        StorageTransfer pulled;
        try {
            pulled = agents.apply(zone.host()).pullDisk(name);
        } catch (RuntimeException e) {
            registry.putZone(zone.in(ZoneLifecycle.RUNNING));
            throw e;
        }
        ZoneRecord local =
                new ZoneRecord(
                        zone.definition().withDisk(disk.standalone()),
                        zone.host(),
                        ZoneLifecycle.RUNNING);
        registry.putZone(local);
        storage.record(pulled, name, disk.image(), disk.remote().host(), zone.host());
        storage.stopServing(name, disk);
        log.info(
                "zone {}: disk pulled from {} to {} ({} bytes on the wire)",
                name,
                disk.remote().host(),
                zone.host(),
                pulled.wireBytes());
        return local;
    }

    private static Optional<ZoneStatus> find(AgentGateway agent, String zone) {
        return agent.zones().stream().filter(z -> z.zone().equals(zone)).findFirst();
    }

    private void start(PlanRecord plan) {
        Run run = new Run(plan, dispatchers.create(plan.algorithm(), registry, plan.moves()));
        runs.put(plan.id(), run);
        threads.submit(run::loop);
    }

    private List<MoveRecord> validate(PlanRequest request) {
        Set<String> seen = new HashSet<>();
        Set<String> busy = new HashSet<>();
        runs.values()
                .forEach(
                        r ->
                                r.snapshot().moves().stream()
                                        .filter(m -> !m.state().finished())
                                        .forEach(m -> busy.add(m.zone())));
        Map<String, Long> memoryAfter = new HashMap<>();
        for (ZoneRecord z : registry.zones()) {
            memoryAfter.merge(z.host(), z.definition().memoryMiB() << 20, Long::sum);
        }
        List<MoveRecord> moves = new ArrayList<>();
        for (PlanRequest.Move m : request.moves()) {
            ZoneRecord zone = registry.zone(m.zone());
            HostRecord to = registry.host(m.to());
            if (!seen.add(m.zone())) {
                throw new InvalidInputException(
                        "zone '" + m.zone() + "' appears twice in the plan");
            }
            if (busy.contains(m.zone())) {
                throw ApiException.conflict(
                        "zone '" + m.zone() + "' is already being moved by another plan");
            }
            if (zone.state() != ZoneLifecycle.RUNNING) {
                throw ApiException.conflict(
                        "zone '" + m.zone() + "' is " + zone.state() + "; only running zones move");
            }
            if (zone.host().equals(m.to())) {
                throw new InvalidInputException(
                        "zone '" + m.zone() + "' already runs on " + m.to());
            }
            if (to.state() != HostRecord.HostState.UP) {
                throw ApiException.conflict(
                        "host " + m.to() + " is " + to.state() + "; its agent must be up");
            }
            HostRecord from = registry.host(zone.host());
            if (from.state() != HostRecord.HostState.UP) {
                throw ApiException.conflict(
                        "zone '"
                                + m.zone()
                                + "' runs on "
                                + from.name()
                                + ", which is "
                                + from.state());
            }
            long bytes = zone.definition().memoryMiB() << 20;
            memoryAfter.merge(zone.host(), -bytes, Long::sum);
            memoryAfter.merge(m.to(), bytes, Long::sum);
            moves.add(MoveRecord.pending(m.zone(), zone.host(), m.to()));
        }
        for (var e : memoryAfter.entrySet()) {
            HostRecord h = registry.host(e.getKey());
            if (e.getValue() > h.memoryBytes()) {
                throw new InvalidInputException(
                        "no capacity: after the plan host "
                                + h.name()
                                + " would hold "
                                + (e.getValue() >> 20)
                                + " MiB of zones but has "
                                + (h.memoryBytes() >> 20)
                                + " MiB");
            }
        }
        return moves;
    }

    @Override
    public void close() {
        // Not a cancel: moves in flight are left exactly as they are, for recover() at the next
        // start to settle. Their threads only stop talking to the agents.
        closing = true;
        threads.shutdownNow();
    }

    /** One running plan: its moves' states and the loop that dispatches them. */
    private final class Run {
        private final long id;
        private final PlanRecord plan;
        private final MoveDispatcher dispatcher;
        private final List<MoveRecord> moves;
        private final LinkedBlockingQueue<Integer> changes = new LinkedBlockingQueue<>();

        /** Destinations prepared ahead of their move's start ("auto" only), by move index. */
        private final Map<Integer, java.util.concurrent.Future<IncomingTicket>> staged =
                new ConcurrentHashMap<>();

        private volatile String stopReason;
        private volatile PlanState stopState;

        Run(PlanRecord plan, MoveDispatcher dispatcher) {
            this.id = plan.id();
            this.plan = plan;
            this.dispatcher = dispatcher;
            this.moves = new ArrayList<>(plan.moves());
        }

        synchronized PlanRecord snapshot() {
            return new PlanRecord(
                    id,
                    plan.algorithm(),
                    PlanState.RUNNING,
                    plan.settings(),
                    plan.timeoutSeconds(),
                    plan.createdMillis(),
                    0,
                    moves);
        }

        void stop(String reason, PlanState state) {
            stopReason = reason;
            stopState = state;
            changes.add(-1);
        }

        private synchronized void set(int i, MoveRecord m) {
            moves.set(i, m);
            if (m.state() != MoveState.MIGRATING || moves.get(i).percent() == 0) {
                registry.store().putMove(id, i, m);
            }
            changes.add(i);
        }

        private synchronized int indexOf(String zone) {
            for (int i = 0; i < moves.size(); i++) {
                if (moves.get(i).zone().equals(zone)) {
                    return i;
                }
            }
            throw new IllegalArgumentException(zone);
        }

        private synchronized MoveRecord get(int i) {
            return moves.get(i);
        }

        void loop() {
            try {
                long deadline =
                        plan.timeoutSeconds() > 0
                                ? plan.createdMillis() + plan.timeoutSeconds() * 1000
                                : Long.MAX_VALUE;
                boolean stopping = false;
                while (true) {
                    if (!stopping && System.currentTimeMillis() > deadline) {
                        stop(
                                "plan timed out after " + plan.timeoutSeconds() + " s",
                                PlanState.FAILED);
                    }
                    if (!stopping && stopReason != null) {
                        stopping = true;
                        abortAll();
                    }
                    List<MoveRecord> now = snapshot().moves();
                    if (now.stream().allMatch(m -> m.state().finished())) {
                        break;
                    }
                    if (!stopping) {
                        for (int i : dispatcher.startNow(now)) {
                            if (get(i).state() == MoveState.PENDING) {
                                set(i, get(i).in(MoveState.PREPARING));
                                int idx = i;
                                threads.submit(() -> runMove(idx));
                            }
                        }
                        // Every schedule stages: comparing schedules must not mix in an
                        // executor speed-up only one of them gets.
                        stageAhead();
                    }
                    changes.poll(250, TimeUnit.MILLISECONDS);
                }
                discardStaged();
                List<MoveRecord> end = snapshot().moves();
                // A plan whose every move is done is DONE, even if a cancel came too late to stop
                // anything.
                PlanState state =
                        end.stream().allMatch(m -> m.state() == MoveState.DONE)
                                ? PlanState.DONE
                                : stopState != null ? stopState : PlanState.FAILED;
                long at = System.currentTimeMillis();
                registry.store().putPlanState(id, state, at);
                finished.put(
                        id,
                        new PlanRecord(
                                id,
                                plan.algorithm(),
                                state,
                                plan.settings(),
                                plan.timeoutSeconds(),
                                plan.createdMillis(),
                                at,
                                end));
                runs.remove(id);
                log.info("plan {} ended {}", id, state);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // coordinator shutdown: recover() resumes it
            } catch (RuntimeException e) {
                log.error("plan {} loop failed", id, e);
            }
        }

        private void abortAll() {
            for (int i = 0; i < moves.size(); i++) {
                MoveRecord m = get(i);
                if (m.state() == MoveState.PENDING) {
                    set(i, m.failed(MoveState.CANCELLED, stopReason));
                } else if (m.state() == MoveState.MIGRATING) {
                    // The source agent may not have begun the migration yet when the cancel
                    // arrives (it answers 409 then): keep asking while the move is migrating.
                    threads.submit(
                            () -> {
                                for (int attempt = 0; attempt < 20; attempt++) {
                                    try {
                                        agents.apply(m.source()).cancelMigration(m.zone());
                                        return;
                                    } catch (RuntimeException e) {
                                        log.debug(
                                                "cancel of {} not delivered: {}",
                                                m.zone(),
                                                e.getMessage());
                                    }
                                    if (get(indexOf(m.zone())).state() != MoveState.MIGRATING) {
                                        return;
                                    }
                                    try {
                                        Thread.sleep(250);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            });
                }
            }
        }

        /**
         * While a move waits for a busy NIC, its destination VM can already be started: the move
         * then begins with the transfer instead of QEMU's start-up (about a second under TCG). Only
         * memory-only moves are staged, one per destination, and only where the destination has
         * room beyond every zone it holds or receives.
         */
        private void stageAhead() {
            Map<String, Long> free = new HashMap<>();
            for (var h : registry.hosts()) {
                free.put(h.name(), h.memoryBytes());
            }
            for (ZoneRecord z : registry.zones()) {
                free.merge(z.host(), -(z.definition().memoryMiB() << 20), Long::sum);
            }
            java.util.Set<String> stagingTo = new java.util.HashSet<>();
            List<MoveRecord> now = snapshot().moves();
            for (int i = 0; i < now.size(); i++) {
                MoveRecord m = now.get(i);
                if (m.state().inFlight() || staged.containsKey(i)) {
                    long bytes =
                            registry.findZone(m.zone())
                                    .map(z -> z.definition().memoryMiB() << 20)
                                    .orElse(0L);
                    free.merge(m.destination(), -bytes, Long::sum);
                    if (staged.containsKey(i)) {
                        stagingTo.add(m.destination());
                    }
                }
            }
            for (int i = 0; i < now.size(); i++) {
                MoveRecord m = now.get(i);
                if (m.state() != MoveState.PENDING
                        || staged.containsKey(i)
                        || stagingTo.contains(m.destination())) {
                    continue;
                }
                Optional<ZoneRecord> zone = registry.findZone(m.zone());
                if (zone.isEmpty() || zone.get().definition().disk() != null) {
                    continue;
                }
                long bytes = zone.get().definition().memoryMiB() << 20;
                if (free.getOrDefault(m.destination(), 0L) < bytes) {
                    continue;
                }
                free.merge(m.destination(), -bytes, Long::sum);
                stagingTo.add(m.destination());
                ZoneDefinition definition = zone.get().definition();
                AgentGateway dst = agents.apply(m.destination());
                staged.put(
                        i,
                        threads.submit(
                                () ->
                                        dst.prepareIncoming(
                                                new IncomingRequest(definition, plan.settings()))));
                log.debug(
                        "plan {}: destination of {} on {} staged ahead",
                        id,
                        m.zone(),
                        m.destination());
            }
        }

        /** The staged destination of move {@code i}, if it was staged and came up. */
        private Optional<IncomingTicket> takeStaged(int i) {
            var f = staged.remove(i);
            if (f == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(f.get());
            } catch (Exception e) {
                log.debug("staged destination of move {} unusable: {}", i, e.toString());
                return Optional.empty();
            }
        }

        /** Staged destinations whose moves never started (cancel, timeout, failure) are removed. */
        private void discardStaged() {
            for (int i : List.copyOf(staged.keySet())) {
                MoveRecord m = get(i);
                if (takeStaged(i).isPresent()) {
                    try {
                        agents.apply(m.destination()).discardIncoming(m.zone());
                    } catch (RuntimeException e) {
                        log.warn(
                                "could not discard staged {} on {}: {}",
                                m.zone(),
                                m.destination(),
                                e.getMessage());
                    }
                }
            }
        }

        private void runMove(int i) {
            MoveRecord m = get(i);
            ZoneRecord zone;
            AgentGateway src;
            AgentGateway dst;
            try {
                zone = registry.zone(m.zone());
                src = agents.apply(m.source());
                dst = agents.apply(m.destination());
            } catch (RuntimeException e) {
                // Nothing asked of any agent yet (e.g. the zone was deleted while its move
                // waited): the move fails, and the plan must not wait for it forever.
                set(i, get(i).failed(MoveState.FAILED, e.getMessage()));
                log.warn("plan {}: move of {} cannot start: {}", id, m.zone(), e.getMessage());
                return;
            }
            registry.putZone(zone.in(ZoneLifecycle.MIGRATING));
            DiskDefinition disk = zone.definition().disk();
            boolean mirrored = disk != null && disk.local();
            boolean prepared = false;
            boolean mirroring = false;
            try {
                if (mirrored && disk.image() != null) {
                    storage.ensureBase(disk.image(), m.destination(), m.zone());
                }
                ZoneDefinition there = storage.forHost(zone.definition(), m.destination());
                ZoneDefinition arriving = there;
                IncomingTicket ticket =
                        takeStaged(i)
                                .orElseGet(
                                        () ->
                                                dst.prepareIncoming(
                                                        new IncomingRequest(
                                                                arriving, plan.settings())));
                prepared = true;
                set(i, get(i).in(MoveState.MIGRATING));
                if (stopReason != null) {
                    throw new IllegalStateException(stopReason);
                }
                var poller = threads.submit(() -> pollProgress(i, src, m.zone()));
                MigrationReport report;
                DiskTicket diskTicket = null;
                try {
                    if (mirrored) {
                        diskTicket = dst.incomingDisk(m.zone());
                        mirroring = true;
                        src.mirrorDisk(
                                m.zone(),
                                new DiskMirrorRequest(
                                        diskTicket,
                                        registry.linkBetween(m.source(), m.destination()),
                                        plan.settings().maxBandwidthBytesPerSec()));
                        if (stopReason != null) {
                            throw new IllegalStateException(stopReason);
                        }
                    }
                    report =
                            src.migrateOut(
                                    m.zone(),
                                    new MigrateOutRequest(
                                            ticket,
                                            plan.settings(),
                                            registry.linkBetween(m.source(), m.destination())));
                } finally {
                    poller.cancel(true);
                }
                set(
                        i,
                        get(i).measured(
                                        report.transferredBytes(),
                                        report.downtimeMillis(),
                                        report.totalMillis())
                                .in(MoveState.COMMITTING));
                try {
                    dst.commitIncoming(m.zone());
                } catch (RuntimeException e) {
                    // The destination never ran: the stopped source still holds the whole zone.
                    src.resumeSource(m.zone());
                    throw e;
                }
                if (diskTicket != null && diskTicket.sync() == DiskTicket.Sync.FULL) {
                    // The disk arrived as one standalone image: no base below it any more.
                    there = there.withDisk(there.disk().standalone());
                }
                registry.putZone(new ZoneRecord(there, m.destination(), ZoneLifecycle.RUNNING));
                if (mirrored) {
                    recordDiskMove(src, m, disk);
                }
                try {
                    src.releaseMigrated(m.zone());
                } catch (RuntimeException e) {
                    log.warn(
                            "zone {} moved but its old VM on {} was not released: {}",
                            m.zone(),
                            m.source(),
                            e.getMessage());
                }
                set(i, get(i).in(MoveState.DONE));
                log.info(
                        "plan {}: {} {} -> {} done (downtime {} ms)",
                        id,
                        m.zone(),
                        m.source(),
                        m.destination(),
                        report.downtimeMillis());
            } catch (RuntimeException e) {
                if (closing) {
                    // Coordinator shutdown interrupted this thread mid-call: the move's state is
                    // stored; recover() settles it with the agents at the next start.
                    return;
                }
                if (mirroring) {
                    try {
                        src.abortDiskMirror(m.zone());
                    } catch (RuntimeException a) {
                        log.warn(
                                "could not stop the disk mirror of {}: {}",
                                m.zone(),
                                a.getMessage());
                    }
                }
                if (prepared) {
                    try {
                        dst.discardIncoming(m.zone());
                    } catch (RuntimeException d) {
                        log.warn(
                                "could not discard {} on {}: {}",
                                m.zone(),
                                m.destination(),
                                d.getMessage());
                    }
                }
                registry.putZone(zone.on(m.source(), sourceState(src, m.zone())));
                MoveState s =
                        stopState == PlanState.CANCELLED ? MoveState.CANCELLED : MoveState.FAILED;
                set(i, get(i).failed(s, e.getMessage()));
                log.warn("plan {}: move of {} failed: {}", id, m.zone(), e.getMessage());
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

        private ZoneLifecycle sourceState(AgentGateway src, String zone) {
            try {
                return find(src, zone)
                        .map(
                                z ->
                                        z.state() == ZoneState.RUNNING
                                                ? ZoneLifecycle.RUNNING
                                                : ZoneLifecycle.FAILED)
                        .orElse(ZoneLifecycle.FAILED);
            } catch (RuntimeException e) {
                return ZoneLifecycle.LOST;
            }
        }

        private void pollProgress(int i, AgentGateway src, String zone) {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(PROGRESS_POLL.toMillis());
                    src.progress(zone)
                            .ifPresent(
                                    p -> {
                                        synchronized (this) {
                                            MoveRecord cur = moves.get(i);
                                            if (cur.state() == MoveState.MIGRATING) {
                                                moves.set(
                                                        i,
                                                        cur.progress(
                                                                p.percent(), p.transferredBytes()));
                                            }
                                        }
                                        changes.add(i);
                                    });
                }
            } catch (InterruptedException e) {
                // migration ended
            } catch (RuntimeException e) {
                log.debug("progress of {} unavailable: {}", zone, e.getMessage());
            }
        }
    }
}
