package io.livezone.coordinator.plan;

import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.plan.PlanRecord.PlanState;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.StorageTransfer;
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

    /**
     * How long a move that lost track of a copy keeps asking before it reports the zone at risk
     * (nothing is resumed or discarded meanwhile, and none after).
     */
    static final Duration RESOLVE_DEADLINE = Duration.ofMinutes(5);

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

    /** Plans interrupted by a restart whose in-flight moves are being settled. */
    private final Map<Long, PlanRecord> recovering = new ConcurrentHashMap<>();

    private volatile boolean closing;
    private volatile Duration resolveDeadline = RESOLVE_DEADLINE;

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

    /** Tests: how long a move that lost track of a copy keeps asking (default 5 min). */
    public void resolveDeadline(Duration d) {
        resolveDeadline = d;
    }

    /** Validates and starts a plan; nothing changes if the plan is invalid. */
    public synchronized PlanRecord submit(PlanRequest request) {
        Set<String> busy = new HashSet<>();
        runs.values()
                .forEach(
                        r ->
                                r.snapshot().moves().stream()
                                        .filter(m -> !m.state().finished())
                                        .forEach(m -> busy.add(m.zone())));
        List<MoveRecord> moves = PlanAdmission.validate(registry, request, busy);
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
        if (r != null) {
            return Optional.of(r.snapshot());
        }
        PlanRecord settling = recovering.get(id);
        return settling != null ? Optional.of(settling) : Optional.ofNullable(finished.get(id));
    }

    public List<PlanRecord> plans() {
        Map<Long, PlanRecord> all = new java.util.TreeMap<>(finished);
        all.putAll(recovering);
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
     * After a coordinator restart: continues the plans that were running. Each move that was in
     * flight is settled first, by its transaction, from what both agents' QEMU report (see {@link
     * MoveResolution}); a move rolled back runs again.
     */
    public void recover() {
        for (PlanRecord p : registry.store().plans()) {
            if (p.state() != PlanState.RUNNING) {
                continue;
            }
            recovering.put(p.id(), p);
            threads.submit(
                    () -> {
                        List<MoveRecord> moves = new ArrayList<>(p.moves());
                        for (int i = 0; i < moves.size(); i++) {
                            if (moves.get(i).state().inFlight()) {
                                settle(p, moves, i);
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
                        recovering.remove(p.id());
                    });
        }
    }

    /** Settles move {@code i} of a plan interrupted by a restart, storing each step. */
    private void settle(PlanRecord p, List<MoveRecord> moves, int i) {
        MoveRecord before = moves.get(i);
        new MoveTransaction(
                        p.id(),
                        p.settings(),
                        registry,
                        agents,
                        storage,
                        threads,
                        new MoveTransaction.Record() {
                            @Override
                            public MoveRecord get() {
                                return moves.get(i);
                            }

                            @Override
                            public void set(MoveRecord m) {
                                moves.set(i, m);
                                registry.store().putMove(p.id(), i, m);
                            }
                        },
                        () -> null,
                        () -> false,
                        resolveDeadline)
                .recover();
        log.info(
                "plan {}: move of {} was {} at restart; now {}",
                p.id(),
                before.zone(),
                before.state(),
                moves.get(i).state());
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

    private void start(PlanRecord plan) {
        Run run = new Run(plan, dispatchers.create(plan.algorithm(), registry, plan.moves()));
        runs.put(plan.id(), run);
        threads.submit(run::loop);
    }

    /**
     * Ends the copies of zones that no unfinished move expects and that can never be needed:
     *
     * <ul>
     *   <li>destination VMs left by a move rolled back while their agent could not be asked. Such a
     *       VM never ran (destinations run only after their commit), so ending it loses nothing;
     *   <li>sources stopped for good after a completed migration whose release was lost (their
     *       agent died or did not answer at the release) while the registry names another host
     *       where the zone runs, as that host's agent confirms. The move committed there, so this
     *       copy is history.
     * </ul>
     *
     * Returns what was ended, as {@code zone@host}.
     */
    public List<String> sweepStrays() {
        Set<String> expected = expectedCopies();
        Map<String, List<ZoneStatus>> byHost = new HashMap<>();
        for (HostRecord h : registry.hosts()) {
            if (h.state() == HostRecord.HostState.UP) {
                try {
                    byHost.put(h.name(), agents.apply(h.name()).zones());
                } catch (RuntimeException e) {
                    log.debug("sweep: {} does not answer: {}", h.name(), e.getMessage());
                }
            }
        }
        List<String> ended = new ArrayList<>();
        byHost.forEach(
                (host, zones) -> {
                    for (ZoneStatus z : zones) {
                        String key = z.zone() + "@" + host;
                        if (expected.contains(key)) {
                            continue;
                        }
                        Optional<ZoneRecord> home = registry.findZone(z.zone());
                        AgentGateway agent = agents.apply(host);
                        boolean neverRan = z.neverRan();
                        Runnable end = null;
                        String why = null;
                        if (home.isEmpty()) {
                            if (neverRan || z.state() == ZoneState.DEAD) {
                                // A deleted zone's copy its host could not be told to end (it
                                // was down): a VM that never ran or is dead holds nothing anyone
                                // needs, and its name and address must be free for new zones.
                                end = () -> agent.endCopy(z.zone(), neverRan);
                                why = "a copy of a deleted zone";
                            }
                        } else if (!home.get().host().equals(host)) {
                            if (neverRan) {
                                end = () -> agent.discardIncoming(z.zone());
                                why = "a stray arriving VM; it never ran";
                            } else if (departed(z) && runsAt(home.get(), byHost)) {
                                end = () -> agent.releaseMigrated(z.zone());
                                why = "the stopped source; the zone runs on " + home.get().host();
                            }
                        }
                        // Asked again right before acting: a move admitted while the hosts were
                        // asked expects copies the first look did not know of.
                        if (end == null || expectedCopies().contains(key)) {
                            continue;
                        }
                        end.run();
                        ended.add(key);
                        log.info("ended {} ({}): {}", key, z.qemuStatus(), why);
                    }
                });
        return ended;
    }

    /** {@code zone@host} of both ends of every unfinished move. */
    private Set<String> expectedCopies() {
        Set<String> expected = new HashSet<>();
        List<PlanRecord> open = new ArrayList<>(recovering.values());
        runs.values().forEach(r -> open.add(r.snapshot()));
        for (PlanRecord p : open) {
            for (MoveRecord m : p.moves()) {
                if (!m.state().finished()) {
                    expected.add(m.zone() + "@" + m.destination());
                    expected.add(m.zone() + "@" + m.source());
                }
            }
        }
        return expected;
    }

    /** A source stopped for good: its outgoing migration completed (QEMU says so). */
    private static boolean departed(ZoneStatus z) {
        return z.state() == ZoneState.PAUSED && z.qemuStatus().contains("migration completed");
    }

    /** The registry says the zone runs on its host, and that host's agent agrees. */
    private static boolean runsAt(ZoneRecord zone, Map<String, List<ZoneStatus>> byHost) {
        return zone.state() == ZoneRecord.ZoneLifecycle.RUNNING
                && byHost.getOrDefault(zone.host(), List.of()).stream()
                        .anyMatch(
                                z ->
                                        z.zone().equals(zone.definition().name())
                                                && z.state() == ZoneState.RUNNING);
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

        private final Staging staging;

        private volatile String stopReason;
        private volatile PlanState stopState;

        Run(PlanRecord plan, MoveDispatcher dispatcher) {
            this.id = plan.id();
            this.plan = plan;
            this.dispatcher = dispatcher;
            this.moves = new ArrayList<>(plan.moves());
            this.staging = new Staging(plan.id(), plan.settings(), registry, agents, threads);
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

        /** Stores a move's record when its state changes (progress alone stays in memory). */
        private synchronized void set(int i, MoveRecord m) {
            MoveRecord before = moves.set(i, m);
            if (before.state() != m.state()
                    || !java.util.Objects.equals(before.error(), m.error())) {
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
                                threads.submit(() -> transaction(idx).run(staging.take(idx)));
                            }
                        }
                        // Every schedule stages: comparing schedules must not mix in an
                        // executor speed-up only one of them gets.
                        staging.stageAhead(snapshot().moves());
                    }
                    changes.poll(250, TimeUnit.MILLISECONDS);
                }
                staging.discardAll(snapshot().moves());
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

        private MoveTransaction transaction(int i) {
            return new MoveTransaction(
                    id,
                    plan.settings(),
                    registry,
                    agents,
                    storage,
                    threads,
                    new MoveTransaction.Record() {
                        @Override
                        public MoveRecord get() {
                            return Run.this.get(i);
                        }

                        @Override
                        public void set(MoveRecord m) {
                            Run.this.set(i, m);
                        }
                    },
                    () -> stopReason,
                    () -> stopState == PlanState.CANCELLED,
                    resolveDeadline);
        }
    }
}
