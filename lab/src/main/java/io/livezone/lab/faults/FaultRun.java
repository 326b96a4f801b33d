package io.livezone.lab.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.EnvironmentException;
import io.livezone.core.cluster.HttpAgentGateway;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.lab.QemuCensus;
import io.livezone.lab.cluster.FaultControl;
import io.livezone.lab.cluster.LocalCluster;
import io.livezone.lab.cluster.LocalZoneDisks;
import io.livezone.lab.faults.FaultCell.Fault;
import io.livezone.lab.faults.FaultCell.Phase;
import io.livezone.storage.GuestDiskContent;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs fault cells on a real local cluster (two hosts, TCG guests): each cell moves a zone — with a
 * disk its guest writes self-checking records to, Debian's Redis server beside the zone server, and
 * a player incrementing a Redis counter through the gateway — injects its real fault at its phase,
 * heals what a fault leaves (restarts what was killed, lifts partitions), and then judges by what
 * the QEMU processes do:
 *
 * <ul>
 *   <li>never two copies of the zone in run state {@code running} (sampled every second during the
 *       cell, two samples in a row) and, at the end, exactly one, on the host the registry names,
 *       with no other copy left anywhere;
 *   <li>the counter at least the last value Redis acknowledged, and the player served again;
 *   <li>the plan DONE, or FAILED with an error; a further move succeeds; the disk checks out.
 * </ul>
 *
 * A cell whose fault destroys the zone's only complete copy ({@link FaultCell#destroysZone}) passes
 * when the registry calls the zone lost or failed and no copy runs anywhere; the zone is then
 * deleted (nothing may be left behind) and the next cell gets a new one.
 */
public final class FaultRun implements AutoCloseable {
    private static final String CONFIG =
            """
            sites:
              - name: a
                hosts: [{name: h1, memory: 2GiB}, {name: h2, memory: 2GiB}]
            """;
    private static final int REDIS_PORT = 6379;

    /** Room for the Redis guest image (its initramfs unpacks in guest memory). */
    private static final long MEMORY_MIB = 256;

    private static final long SLOW = 3_000_000;
    private static final long SLOWER = 1_000_000;
    private static final long FAST = 40_000_000;
    private static final Duration PLAN_END = Duration.ofMinutes(10);
    private static final Duration AGENT_DOWN = Duration.ofSeconds(3);
    private static final Duration PARTITION = Duration.ofSeconds(45);

    /** Longer than the coordinator's two-minute commit call to an agent. */
    private static final Duration STOPPED = Duration.ofSeconds(150);

    private static final long DATABASE_DISK_MIB = 64;

    /**
     * Room for the new disk image (a fresh qcow2 takes three 64 KiB clusters) and two more: the
     * mirror's first data needs an L2 table and a data cluster, the rest fails for want of room,
     * whenever the mirror got to when the move reached its phase (a 640 KiB disk held the guest's
     * sparse records, and filling the disk at the phase raced the mirror's end).
     */
    private static final long DESTINATION_DISK_KIB = 384;

    /** How long a full coordinator database may last before it is freed. */
    private static final Duration DATABASE_FULL = Duration.ofMinutes(4);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one cell showed. */
    public record CellResult(
            String cell,
            boolean passed,
            String reason,
            boolean destroysZone,
            boolean doubleRunning,
            boolean lostZone,
            boolean lostAckedWrites,
            String planState,
            String planError,
            long lastAcked,
            long counterAfter,
            long millis) {}

    private final Path root;
    private final String name;
    private final PrintStream progress;
    private LocalCluster cluster;
    private FaultControl faults;
    private String zone;
    private RedisCounter counter;
    private int zones;
    private Thread cleanup;
    private volatile boolean stopping;

    /** The destination's disk folder a disk-full cell mounted; null if none. */
    private Path smallDisk;

    /** The process (the destination's agent) in whose mount namespace it is mounted. */
    private long smallDiskNamespace;

    private FaultRun(Path root, String name, LocalCluster cluster, PrintStream progress) {
        this.root = root;
        this.name = name;
        this.cluster = cluster;
        this.faults = new FaultControl(cluster);
        this.progress = progress;
    }

    /** Starts the two-host cluster the cells run on. */
    public static FaultRun start(Path root, PrintStream progress) {
        String name = "fr" + ThreadLocalRandom.current().nextInt(100, 1000);
        // The coordinator's database lives on a small disk of its own, which a cell can fill.
        Path database = LocalCluster.databaseDir(LocalCluster.dirOf(root, name));
        FaultControl.mountSmallDisk(0, database, DATABASE_DISK_MIB * 1024);
        LocalCluster cluster;
        try {
            cluster =
                    LocalCluster.up(
                            root, name, ClusterConfig.parse(CONFIG), Duration.ofSeconds(120));
        } catch (RuntimeException e) {
            FaultControl.unmount(0, database);
            throw e;
        }
        FaultRun run = new FaultRun(root, name, cluster, progress);
        // An interrupted run (Ctrl-C, SIGTERM) still removes its cluster.
        run.cleanup =
                new Thread(
                        () -> {
                            run.stopping = true;
                            LocalCluster.down(root, name);
                        });
        Runtime.getRuntime().addShutdownHook(run.cleanup);
        return run;
    }

    /** Runs one cell; never throws for what the cell finds (that is its result). */
    public CellResult run(FaultCell cell) throws InterruptedException {
        long t0 = System.nanoTime();
        progress.printf("cell %s ...%n", cell.id());
        Outcome o = new Outcome(cell);
        Sampler sampler = null;
        try {
            ensureZone();
            String src = hostOfZone();
            String dst = src.equals("h1") ? "h2" : "h1";
            sampler = Sampler.start(cluster.dir(), zone);
            if (cell.phase() == Phase.IDLE) {
                killQemu(src);
                awaitZoneState(Set.of("FAILED", "LOST"), Duration.ofSeconds(60));
            } else {
                long plan = reachPhase(cell, src, dst, o);
                inject(cell, src, dst, plan);
                JsonNode end = awaitPlanEnd(plan);
                o.planState = end.path("state").asText();
                o.planError = end.path("moves").path(0).path("error").asText("");
                freeSmallDisk();
            }
            ensureEverythingUp();
            sampler.stop();
            judge(cell, o, sampler);
        } catch (CellFailure e) {
            o.fail(e.getMessage());
        } catch (RuntimeException e) {
            o.fail("harness: " + e);
        } finally {
            if (sampler != null) {
                sampler.stop();
                if (sampler.doubleRunning() != null) {
                    o.doubleRunning = true;
                    o.fail("two copies running: " + sampler.doubleRunning());
                }
            }
            if (cell.phase().failpoint() != null) {
                faults.disarm(cell.phase().failpoint());
            }
            healQuietly();
            if (!o.passed() || o.destroyed) {
                retireZone();
            }
        }
        CellResult r = o.result((System.nanoTime() - t0) / 1_000_000);
        progress.printf(
                "cell %s: %s%s (%d s)%n",
                cell.id(),
                r.passed() ? "passed" : "FAILED",
                r.passed() ? "" : " — " + r.reason(),
                r.millis() / 1000);
        return r;
    }

    /** Starts the move so that it stands at the cell's phase; returns the plan's id. */
    private long reachPhase(FaultCell cell, String src, String dst, Outcome o)
            throws InterruptedException {
        String point = cell.phase().failpoint();
        if (cell.fault() == Fault.DISK_FULL_DESTINATION) {
            // Mounted before the move, or the destination's disk file would stay on the disk
            // underneath, open in QEMU.
            smallDisk = disksOf(dst);
            smallDiskNamespace = cluster.state().agentPids().get(dst);
            FaultControl.mountSmallDisk(smallDiskNamespace, smallDisk, DESTINATION_DISK_KIB);
        }
        if (point != null) {
            faults.arm(point);
        }
        // Slow enough to be caught in the act; post-copy starts after 30 s of pre-copy that has
        // not converged, so its move is slower still.
        long bandwidth =
                switch (cell.phase()) {
                    case PRECOPY, MIRROR -> SLOW;
                    case POSTCOPY -> SLOWER;
                    default -> FAST;
                };
        long plan =
                submit(
                        dst,
                        new MigrationSettings(30, bandwidth, true, cell.phase() == Phase.POSTCOPY));
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        HttpAgentGateway source = agentOf(src);
        while (System.nanoTime() < deadline) {
            JsonNode move = api().get("/v1/plans/" + plan, JsonNode.class).path("plan");
            String planState = move.path("state").asText();
            JsonNode m = move.path("moves").path(0);
            String state = m.path("state").asText();
            boolean there =
                    switch (cell.phase()) {
                        case PRECOPY ->
                                state.equals("MIGRATING")
                                        && source.progress(zone)
                                                .filter(p -> !p.status().equals("disk-mirror"))
                                                .filter(p -> p.totalBytes() > 0)
                                                .filter(
                                                        p ->
                                                                p.transferredBytes()
                                                                        > p.totalBytes() / 20)
                                                .isPresent();
                        case POSTCOPY -> state.equals("POSTCOPY");
                        default -> faults.reached(point);
                    };
            if (there) {
                return plan;
            }
            if (!planState.equals("RUNNING")) {
                throw new CellFailure(
                        "the move ended ("
                                + state
                                + ": "
                                + m.path("error").asText()
                                + ") before reaching "
                                + cell.phase().id());
            }
            Thread.sleep(100);
        }
        throw new CellFailure("the move never reached " + cell.phase().id());
    }

    /** The fault, then whatever an operator's supervisor would do about it. */
    private void inject(FaultCell cell, String src, String dst, long plan)
            throws InterruptedException {
        String point = cell.phase().failpoint();
        Runnable release = () -> Optional.ofNullable(point).ifPresent(faults::disarm);
        switch (cell.fault()) {
            case KILL_SOURCE_QEMU -> {
                killQemu(src);
                release.run();
            }
            case KILL_DESTINATION_QEMU -> {
                killQemu(dst);
                release.run();
            }
            case KILL_SOURCE_AGENT, KILL_DESTINATION_AGENT -> {
                String host = cell.fault() == Fault.KILL_SOURCE_AGENT ? src : dst;
                cluster.killAgent(host);
                awaitExit(cluster.state().agentPids().get(host));
                release.run();
                Thread.sleep(AGENT_DOWN.toMillis());
                cluster = cluster.restartAgent(host);
            }
            case STOP_DESTINATION_AGENT -> {
                long pid = cluster.state().agentPids().get(dst);
                FaultControl.signal(pid, true);
                try {
                    release.run();
                    Thread.sleep(STOPPED.toMillis());
                } finally {
                    FaultControl.signal(pid, false);
                }
            }
            case PARTITION_AGENTS, PARTITION_COORDINATOR_DESTINATION -> {
                if (cell.fault() == Fault.PARTITION_AGENTS) {
                    faults.partition(src, cluster.state().hostAddresses().get(dst));
                } else {
                    faults.partition(dst, FaultControl.coordinatorAddress(cluster));
                }
                try {
                    release.run();
                    Thread.sleep(PARTITION.toMillis());
                } finally {
                    faults.healAll();
                }
            }
            case KILL_COORDINATOR -> {
                cluster.killCoordinator();
                release.run();
                Thread.sleep(AGENT_DOWN.toMillis());
                cluster = cluster.restartCoordinator();
            }
            case KILL_GATEWAY -> {
                cluster.killGateway();
                release.run();
                Thread.sleep(AGENT_DOWN.toMillis());
                cluster = cluster.restartGateway();
            }
            case KILL_ZONE_QEMU -> {
                killQemu(src);
                release.run();
            }
            case DISK_FULL_DESTINATION ->
                    release.run(); // the mirror fills the small disk; freed once the move ended
            case DISK_FULL_COORDINATOR -> {
                Path database = LocalCluster.databaseDir(cluster.dir());
                // H2 writes into free space inside its file while it can, so the coordinator
                // either goes on (nothing was lost) or stops at its first write that fails.
                FaultControl.fill(database);
                long coordinator = cluster.state().coordinatorPid();
                try {
                    release.run();
                    // The coordinator stops at its next write (fail-stop); freed after that, or
                    // once the move ended without one.
                    long deadline = System.nanoTime() + DATABASE_FULL.toNanos();
                    while (alive(coordinator) && !planEnded(plan) && System.nanoTime() < deadline) {
                        Thread.sleep(200);
                    }
                } finally {
                    FaultControl.unfill(database);
                }
                progress.println(
                        alive(coordinator)
                                ? "  the coordinator wrote on (inside its database file)"
                                : "  the coordinator stopped on its full disk (fail-stop)");
                ensureEverythingUp(); // a supervisor restarts the stopped coordinator
            }
        }
    }

    private boolean planEnded(long plan) {
        try {
            String state =
                    api().get("/v1/plans/" + plan, JsonNode.class)
                            .path("plan")
                            .path("state")
                            .asText();
            return !state.equals("RUNNING");
        } catch (RuntimeException e) {
            return false; // the coordinator does not answer
        }
    }

    /** A host's disk folder. */
    private Path disksOf(String host) {
        return cluster.dir().resolve("hosts").resolve(host).resolve("disks");
    }

    /** Unmounts the destination's small disk, if a cell mounted one. */
    private void freeSmallDisk() {
        if (smallDisk != null) {
            Path disk = smallDisk;
            smallDisk = null;
            FaultControl.unmount(smallDiskNamespace, disk);
        }
    }

    private void judge(FaultCell cell, Outcome o, Sampler sampler) throws InterruptedException {
        if (o.planState != null && !Set.of("DONE", "FAILED", "CANCELLED").contains(o.planState)) {
            throw new CellFailure("plan ended " + o.planState);
        }
        if ("FAILED".equals(o.planState) && o.planError.isBlank()) {
            throw new CellFailure("plan FAILED without saying why");
        }
        if (cell.fault() == Fault.DISK_FULL_DESTINATION
                && "FAILED".equals(o.planState)
                && !o.planError.contains("No space left")) {
            throw new CellFailure("the plan's error does not name the full disk: " + o.planError);
        }
        String state = awaitSettled();
        if (!cell.destroysZone() && state.equals("LOST")) {
            // Its host missed heartbeats while its agent was down: the zone is LOST until the
            // host reports it running again, at its next heartbeats.
            state = awaitState(Set.of("RUNNING"), Duration.ofSeconds(30));
        }
        if (cell.destroysZone() && state.equals("RUNNING")) {
            // A death after the move ended is the health monitor's to see (within seconds).
            state = awaitState(Set.of("LOST", "FAILED"), Duration.ofSeconds(60));
        }
        if (cell.destroysZone() && !state.equals("RUNNING")) {
            // The fault destroyed the zone's only complete copy: said so, and nothing runs.
            o.destroyed = true;
            if (!Set.of("LOST", "FAILED").contains(state)) {
                throw new CellFailure("zone destroyed by the fault is reported " + state);
            }
            List<QemuCensus.Copy> running = executing();
            if (!running.isEmpty()) {
                throw new CellFailure("a copy of a zone reported " + state + " runs: " + running);
            }
            // Deleting it must leave nothing anywhere: no process, no host still listing it.
            api().delete("/v1/zones/" + zone, Duration.ofMinutes(1));
            List<String> left = awaitNoCopyExcept(null);
            if (!left.isEmpty()) {
                throw new CellFailure("deleted zone left behind: " + left);
            }
            return;
        }
        if (!state.equals("RUNNING")) {
            o.lostZone = true;
            throw new CellFailure("zone is " + state + " after the fault; census " + copies());
        }
        String host = hostOfZone();
        List<QemuCensus.Copy> left = awaitOneCopy();
        if (left.size() != 1 || !left.get(0).running() || !left.get(0).host().equals(host)) {
            o.lostZone = left.stream().noneMatch(QemuCensus.Copy::running);
            throw new CellFailure(
                    "registry: RUNNING on " + host + ", but the QEMU processes are " + left);
        }
        List<String> strays = awaitNoCopyExcept(host);
        if (!strays.isEmpty()) {
            throw new CellFailure("copies left behind: " + strays);
        }
        if (!awaitNotHeld(Duration.ofSeconds(30))) {
            throw new CellFailure("the gateway still holds the players' traffic to the zone");
        }
        o.lastAcked = counter.lastAcked();
        o.counterAfter = counter.read(Duration.ofSeconds(60));
        if (o.counterAfter < o.lastAcked) {
            o.lostAckedWrites = true;
            throw new CellFailure("counter " + o.counterAfter + " < acknowledged " + o.lastAcked);
        }
        if (!counter.awaitAcks(20, Duration.ofSeconds(60))) {
            throw new CellFailure("the player is not served again through the gateway");
        }
        String other = host.equals("h1") ? "h2" : "h1";
        JsonNode again = awaitPlanEnd(submit(other, new MigrationSettings(30, FAST, true, false)));
        if (!again.path("state").asText().equals("DONE")) {
            throw new CellFailure("a further move did not succeed: " + again);
        }
        List<QemuCensus.Copy> after = awaitOneCopy();
        if (after.size() != 1 || !after.get(0).running() || !after.get(0).host().equals(other)) {
            throw new CellFailure("after a further move the QEMU processes are " + after);
        }
        GuestDiskContent.Check disk = new LocalZoneDisks(cluster).check(zone, null);
        if (!disk.ok()) {
            throw new CellFailure("disk check: " + disk);
        }
    }

    /** Waits until the players' gateway no longer holds the zone's endpoint; false if it does. */
    private boolean awaitNotHeld(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (!cluster.gatewayApi()
                        .get("/v1/zones/" + zone, JsonNode.class)
                        .path("held")
                        .asBoolean()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // restarting, or not serving the zone yet: ask again
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(250);
        }
    }

    /** Waits until the zone is in no move (at most a minute); returns its registry state. */
    private String awaitSettled() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = zoneRecord().path("state").asText();
            if (!Set.of("MIGRATING", "STAGING").contains(state)) {
                return state;
            }
            Thread.sleep(500);
        }
        return state;
    }

    private void awaitZoneState(Set<String> states, Duration timeout) throws InterruptedException {
        String state = awaitState(states, timeout);
        if (!states.contains(state)) {
            throw new CellFailure("zone still " + state + " after " + timeout.toSeconds() + " s");
        }
    }

    /** The zone's registry state once in {@code states}, or the last seen after {@code timeout}. */
    private String awaitState(Set<String> states, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = zoneRecord().path("state").asText();
        while (!states.contains(state) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            state = zoneRecord().path("state").asText();
        }
        return state;
    }

    /** The zone's copies once only one is left (a release may take a moment), or after 30 s. */
    private List<QemuCensus.Copy> awaitOneCopy() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<QemuCensus.Copy> c = copies();
        while (c.size() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            c = copies();
        }
        return c;
    }

    /**
     * What is left of the zone outside {@code home} (null: anywhere) once the sweeps had 30 s: QEMU
     * processes, and hosts whose agent still lists a copy.
     */
    private List<String> awaitNoCopyExcept(String home) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<String> left = new ArrayList<>();
            for (QemuCensus.Process p : QemuCensus.processes(cluster.dir())) {
                if (p.zone().equals(zone) && !p.host().equals(home)) {
                    left.add("QEMU pid " + p.pid() + " on " + p.host());
                }
            }
            for (String h : cluster.state().hostAddresses().keySet()) {
                if (h.equals(home)) {
                    continue;
                }
                try {
                    agentOf(h).zones().stream()
                            .filter(z -> z.zone().equals(zone))
                            .forEach(
                                    z ->
                                            left.add(
                                                    h
                                                            + " lists "
                                                            + z.state()
                                                            + " ("
                                                            + z.qemuStatus()
                                                            + ")"));
                } catch (RuntimeException e) {
                    left.add(h + " does not answer: " + e.getMessage());
                }
            }
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            Thread.sleep(1000);
        }
    }

    /**
     * Copies whose vCPUs execute guest code: run state {@code running} and vCPU time growing over
     * two seconds. (A post-copy destination whose source is gone says {@code running} while its
     * vCPUs wait for pages that will never come.)
     */
    private List<QemuCensus.Copy> executing() throws InterruptedException {
        List<QemuCensus.Copy> before = copies().stream().filter(QemuCensus.Copy::running).toList();
        if (before.isEmpty()) {
            return before;
        }
        Thread.sleep(2000);
        List<QemuCensus.Copy> after = copies();
        return before.stream()
                .filter(
                        b ->
                                after.stream()
                                        .anyMatch(
                                                a ->
                                                        a.pid() == b.pid()
                                                                && a.running()
                                                                && a.vcpuTicks() > b.vcpuTicks()))
                .toList();
    }

    private List<QemuCensus.Copy> copies() {
        return QemuCensus.under(cluster.dir()).stream().filter(c -> c.zone().equals(zone)).toList();
    }

    /** A zone with a disk, its writer, Redis, and a player on the counter through the gateway. */
    private void ensureZone() throws InterruptedException {
        if (zone != null) {
            return;
        }
        zone = "fz" + (++zones);
        JsonNode created =
                api().post(
                                "/v1/zones",
                                new ZoneService.CreateZone(
                                        zone,
                                        "h1",
                                        MEMORY_MIB,
                                        1,
                                        new StorageService.DiskRequest(null, 16L, null, true),
                                        null,
                                        REDIS_PORT),
                                JsonNode.class,
                                Duration.ofMinutes(5));
        if (!created.path("state").asText().equals("RUNNING")) {
            throw new EnvironmentException("zone " + zone + " did not start: " + created);
        }
        // The gateway's endpoints listen on loopback, where players of a local cluster are.
        counter = new RedisCounter("127.0.0.1", redisEndpointPort());
        if (!counter.awaitAcks(20, Duration.ofSeconds(120))) {
            throw new EnvironmentException(
                    "no Redis answer from zone " + zone + " through the gateway");
        }
    }

    /** The gateway's stable port for the zone's Redis (from its ports file). */
    private int redisEndpointPort() throws InterruptedException {
        Path ports = cluster.dir().resolve("gateway-ports.json");
        String endpoint = zone + ".redis";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Files.exists(ports)) {
                    JsonNode p = JSON.readTree(ports.toFile()).path(endpoint);
                    if (p.isInt()) {
                        return p.asInt();
                    }
                }
            } catch (IOException e) {
                // being rewritten: read again
            }
            Thread.sleep(200);
        }
        throw new EnvironmentException("the gateway has no endpoint " + endpoint);
    }

    /** Deletes the zone (and kills any copy the deletion left), so the next cell starts anew. */
    private void retireZone() throws InterruptedException {
        if (zone == null) {
            return;
        }
        try {
            counter.close();
        } catch (RuntimeException e) {
            // the player is gone either way
        }
        try {
            api().delete("/v1/zones/" + zone, Duration.ofMinutes(1));
        } catch (RuntimeException e) {
            progress.printf("  could not delete zone %s: %s%n", zone, e.getMessage());
        }
        for (QemuCensus.Process p : QemuCensus.processes(cluster.dir())) {
            if (p.zone().equals(zone)) {
                progress.printf("  zone %s: a copy was left on %s; killed%n", zone, p.host());
                ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        // A host that still lists the zone would refuse its address to the next one (an agent
        // just restarted may take a moment to answer).
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (String h : cluster.state().hostAddresses().keySet()) {
            while (true) {
                try {
                    if (agentOf(h).zones().stream().anyMatch(z -> z.zone().equals(zone))) {
                        progress.printf("  zone %s: still listed on %s; stopped%n", zone, h);
                        agentOf(h).stop(zone);
                    }
                    break;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        progress.printf("  zone %s on %s: %s%n", zone, h, e.getMessage());
                        break;
                    }
                    Thread.sleep(1000);
                }
            }
        }
        zone = null;
        counter = null;
    }

    private long submit(String to, MigrationSettings settings) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return api().post(
                                "/v1/plans",
                                new PlanRequest(
                                        "sequential",
                                        List.of(new PlanRequest.Move(zone, to)),
                                        settings,
                                        0),
                                JsonNode.class)
                        .path("plan")
                        .path("id")
                        .asLong();
            } catch (RuntimeException e) {
                // A coordinator still recovering refuses plans for a moment.
                if (System.nanoTime() > deadline) {
                    throw new CellFailure("plan refused: " + e.getMessage());
                }
                Thread.sleep(1000);
            }
        }
    }

    private JsonNode awaitPlanEnd(long id) throws InterruptedException {
        long deadline = System.nanoTime() + PLAN_END.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode plan = api().get("/v1/plans/" + id, JsonNode.class).path("plan");
                if (!plan.path("state").asText().equals("RUNNING")) {
                    return plan;
                }
            } catch (RuntimeException e) {
                // the coordinator restarting
            }
            Thread.sleep(500);
        }
        throw new CellFailure(
                "plan " + id + " still running after " + PLAN_END.toMinutes() + " min");
    }

    /**
     * The zone as the registry has it, asked again for up to a minute: a coordinator restarting (or
     * starved of CPU by the VMs on a small machine) is not a finding.
     */
    private JsonNode zoneRecord() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return api().get("/v1/zones/" + zone, JsonNode.class);
            } catch (io.livezone.core.ZoneNotFoundException e) {
                throw e;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private String hostOfZone() {
        return zoneRecord().path("host").asText();
    }

    private HttpAgentGateway agentOf(String host) {
        return new HttpAgentGateway(
                URI.create(
                        "http://"
                                + cluster.state().hostAddresses().get(host)
                                + ":"
                                + LocalCluster.AGENT_PORT),
                cluster.token());
    }

    /** SIGKILL of the zone's QEMU on {@code host}, found by command line (never asked). */
    private void killQemu(String host) {
        List<QemuCensus.Process> there =
                QemuCensus.processes(cluster.dir()).stream()
                        .filter(p -> p.zone().equals(zone) && p.host().equals(host))
                        .toList();
        if (there.size() != 1) {
            throw new CellFailure("expected one QEMU of " + zone + " on " + host + ": " + there);
        }
        ProcessHandle.of(there.get(0).pid())
                .ifPresent(
                        p -> {
                            p.destroyForcibly();
                            awaitExit(p.pid());
                        });
    }

    /** Waits (at most 30 s: a process stuck in the kernel never exits) until {@code pid} ended. */
    private static void awaitExit(Long pid) {
        if (pid == null) {
            return;
        }
        ProcessHandle.of(pid)
                .ifPresent(
                        p -> {
                            try {
                                p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (java.util.concurrent.TimeoutException
                                    | java.util.concurrent.ExecutionException e) {
                                throw new CellFailure("pid " + pid + " did not exit: " + e);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
    }

    /**
     * Every process of the cluster alive again (a cell that failed half-way may leave one dead).
     */
    private void ensureEverythingUp() {
        if (stopping) {
            throw new CellFailure("the run is being stopped");
        }
        LocalCluster.State s = cluster.state();
        for (var e : s.agentPids().entrySet()) {
            if (!alive(e.getValue())) {
                cluster = cluster.restartAgent(e.getKey());
            }
        }
        if (!alive(cluster.state().coordinatorPid())) {
            cluster = cluster.restartCoordinator();
        }
        if (!alive(cluster.state().gatewayPid())) {
            cluster = cluster.restartGateway();
        }
    }

    private void healQuietly() {
        try {
            faults.healAll();
        } catch (RuntimeException e) {
            progress.println("  " + e.getMessage());
        }
        try {
            freeSmallDisk();
            FaultControl.unfill(LocalCluster.databaseDir(cluster.dir()));
        } catch (RuntimeException e) {
            progress.println("  " + e.getMessage());
        }
        for (long pid : cluster.state().agentPids().values()) {
            if (alive(pid)) {
                try {
                    FaultControl.signal(pid, false);
                } catch (RuntimeException e) {
                    // gone meanwhile
                }
            }
        }
        try {
            ensureEverythingUp();
        } catch (RuntimeException e) {
            progress.println("  could not bring the cluster back: " + e.getMessage());
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private JsonHttpClient api() {
        return cluster.api();
    }

    /** The cluster's name (its folder under the root). */
    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (counter != null) {
            try {
                counter.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LocalCluster.down(root, name);
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs, harmlessly, a second time
        }
    }

    /** A finding that fails the cell. */
    private static final class CellFailure extends RuntimeException {
        CellFailure(String message) {
            super(message);
        }
    }

    /** What a cell collected. */
    private static final class Outcome {
        final FaultCell cell;
        final List<String> failures = new ArrayList<>();
        boolean destroyed;
        boolean doubleRunning;
        boolean lostZone;
        boolean lostAckedWrites;
        String planState;
        String planError = "";
        long lastAcked = -1;
        long counterAfter = -1;

        Outcome(FaultCell cell) {
            this.cell = cell;
        }

        void fail(String why) {
            failures.add(why.length() > 400 ? why.substring(0, 400) + "…" : why);
        }

        boolean passed() {
            return failures.isEmpty();
        }

        CellResult result(long millis) {
            return new CellResult(
                    cell.id(),
                    passed(),
                    String.join("; ", failures),
                    cell.destroysZone(),
                    doubleRunning,
                    lostZone,
                    lostAckedWrites,
                    planState,
                    planError,
                    lastAcked,
                    counterAfter,
                    millis);
        }
    }

    /**
     * Asks every copy of the zone for its run state once a second; two samples in a row with two
     * copies {@code running} is a zone running twice (one sample may straddle a switchover: the
     * copies are asked one after the other).
     */
    private static final class Sampler {
        private final Thread thread;
        private final AtomicReference<String> doubleRunning = new AtomicReference<>();
        private volatile boolean stopped;

        private Sampler(Path dir, String zone) {
            thread =
                    Thread.ofPlatform()
                            .daemon()
                            .name("census-" + zone)
                            .start(
                                    () -> {
                                        int inARow = 0;
                                        while (!stopped) {
                                            List<QemuCensus.Copy> running =
                                                    QemuCensus.under(dir).stream()
                                                            .filter(c -> c.zone().equals(zone))
                                                            .filter(QemuCensus.Copy::running)
                                                            .toList();
                                            inARow = running.size() > 1 ? inARow + 1 : 0;
                                            if (inARow >= 2) {
                                                doubleRunning.compareAndSet(
                                                        null, running.toString());
                                            }
                                            try {
                                                Thread.sleep(1000);
                                            } catch (InterruptedException e) {
                                                return;
                                            }
                                        }
                                    });
        }

        static Sampler start(Path dir, String zone) {
            return new Sampler(dir, zone);
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.interrupt();
            thread.join(15_000);
        }

        String doubleRunning() {
            return doubleRunning.get();
        }
    }
}
