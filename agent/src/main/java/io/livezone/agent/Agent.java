package io.livezone.agent;

import io.livezone.agent.health.ZoneWatch;
import io.livezone.core.BootImage;
import io.livezone.core.InvalidInputException;
import io.livezone.core.MemorySize;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.BaseImageImport;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.BaseImageSend;
import io.livezone.core.cluster.BaseImageSpec;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.DiskMirrorRequest;
import io.livezone.core.cluster.DiskTicket;
import io.livezone.core.cluster.HibernatedSend;
import io.livezone.core.cluster.IncomingRequest;
import io.livezone.core.cluster.IncomingTicket;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.cluster.RemoteDisk;
import io.livezone.core.cluster.ServeDiskRequest;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.SwitchoverGate;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.fault.Failpoints;
import io.livezone.core.http.ApiException;
import io.livezone.link.DetachedRelay;
import io.livezone.link.TcpToUnixForwarder;
import io.livezone.qemu.GuestImage;
import io.livezone.qemu.IncomingMigration;
import io.livezone.qemu.PostcopyInterruptedException;
import io.livezone.qemu.PostcopyState;
import io.livezone.qemu.ZoneDriver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A host agent: runs this host's zones through the QEMU driver and carries migration streams
 * between hosts. QEMU talks to unix sockets; the agent pumps those bytes over TCP on the host
 * network (through the emulated inter-site link when the coordinator asks for one), so the same
 * path works between namespaces here and between machines in a real deployment.
 *
 * <p>What the agent knows of each zone beyond its VM (its move, disk, long operation) is the zone's
 * {@link ZoneSlot}. The source half of a move is a {@link Departure}; the destination half
 * (prepare, commit, discard) is here.
 *
 * <p>Zone disks ({@link ZoneDisks}): a local disk is a file here ({@link HostDisks}); it moves with
 * its zone by a mirror into the destination's NBD export ({@link DepartingDisk}, {@link
 * ArrivingDisk}), finished in the migration's switchover pause. A remote disk is served by another
 * host's agent ({@link ServedDisks}) and reached through a tunnel; its zone's migrations move
 * memory only, and a pull copies it here while the zone runs.
 */
public final class Agent implements AgentGateway, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration RESUME_TIMEOUT = Duration.ofSeconds(60);

    /**
     * How long an arrived VM must stay running after its RESUME before its move commits and the
     * source is released: a destination that dies at once must not take the zone with it.
     */
    static final Duration COMMIT_GRACE = Duration.ofMillis(1000);

    private final String host;
    private final String site;
    private final InetAddress address;
    private final Path socketDir;
    private final ZoneDriver driver;
    private final BootImage boot;
    private final StreamTunnels tunnels;
    private final HostDisks disks;
    private final ServedDisks served;
    private final BaseImageShipping shipping;
    private final HibernationImages hibernated;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, ZoneSlot> slots = new ConcurrentHashMap<>();
    private final ZoneDisks zoneDisks;
    private final Departure departure;
    private volatile SwitchoverGate gate;
    private volatile ZoneWatch watch;

    public Agent(
            String host,
            String site,
            InetAddress address,
            Path stateDir,
            ZoneDriver driver,
            BootImage boot,
            StreamTunnels tunnels) {
        this(host, site, address, stateDir, driver, boot, tunnels, stateDir.resolve("base-images"));
    }

    /**
     * @param imageCache this host's site's base image cache; hosts of one site may share it
     */
    public Agent(
            String host,
            String site,
            InetAddress address,
            Path stateDir,
            ZoneDriver driver,
            BootImage boot,
            StreamTunnels tunnels,
            Path imageCache) {
        this.host = host;
        this.site = site;
        this.address = address;
        this.socketDir = stateDir.toAbsolutePath().resolve("mig");
        this.driver = driver;
        this.boot = boot;
        this.tunnels = tunnels;
        this.disks = new HostDisks(stateDir, imageCache);
        this.served = new ServedDisks(disks, tunnels, host, site, address);
        this.shipping = new BaseImageShipping(disks, tunnels, site, address, socketDir);
        try {
            Files.createDirectories(socketDir);
        } catch (IOException e) {
            throw new io.livezone.core.EnvironmentException("cannot create " + socketDir, e);
        }
        this.hibernated =
                new HibernationImages(
                        stateDir.toAbsolutePath().resolve("hibernation"),
                        tunnels,
                        site,
                        address,
                        socketDir);
        this.zoneDisks = new ZoneDisks(host, driver, disks, tunnels, socketDir, this::slot);
        this.departure = new Departure(host, driver, tunnels, zoneDisks, socketDir, this::slot);
        zoneDisks.adoptLocalDisks();
    }

    /**
     * Players reach this cluster's zones through {@code gate}: outgoing migrations hold their
     * traffic there at the switchover.
     */
    public void useGateway(SwitchoverGate gate) {
        this.gate = gate;
    }

    /**
     * The zones' health comes from {@code w}: the zone list reports what it judged (a dead zone
     * with its failure), and {@link #restart} boots a zone it judged dead.
     */
    public void useWatch(ZoneWatch w) {
        this.watch = w;
    }

    /**
     * True while the zone is in a move here (migrating out or arriving, its disk mirrored or
     * pulled, its migrated VM being released) or a long operation (suspend, restore) runs on it. A
     * zone watch leaves such a zone to whoever runs it.
     */
    public boolean isMoving(String zone) {
        ZoneSlot slot = slots.get(zone);
        return slot != null && slot.busy();
    }

    /** What the agent knows of {@code zone}'s move, disk and operations. */
    private ZoneSlot slot(String zone) {
        return slots.computeIfAbsent(zone, z -> new ZoneSlot());
    }

    public String host() {
        return host;
    }

    public String site() {
        return site;
    }

    public ZoneDriver driver() {
        return driver;
    }

    /**
     * Every zone this host has, as QEMU has it. An arriving VM holds its QMP connection for the
     * migration, so what it is doing comes from that connection: waiting or arrived and paused
     * (INCOMING, it never ran), or continued (RUNNING: by a commit, or by post-copy).
     */
    @Override
    public List<ZoneStatus> zones() {
        List<ZoneStatus> listed = new ArrayList<>();
        for (String zone : driver.zoneNames()) {
            ZoneSlot slot = slot(zone);
            try {
                // A migrating zone's monitor is held by its migration: asking it would wait.
                listed.add(
                        slot.arrival() != null || slot.leaving()
                                ? driver.statusInMigration(zone)
                                : driver.status(zone));
            } catch (io.livezone.core.ZoneNotFoundException e) {
                // removed while listing
            }
        }
        ZoneWatch w = watch;
        List<ZoneStatus> all = w == null ? listed : w.overlay(listed);
        List<ZoneStatus> out = new ArrayList<>();
        for (ZoneStatus z : all) {
            ZoneSlot.Arrival a = slot(z.zone()).arrival();
            PostcopyState postcopy =
                    a != null && a.migration().everRan() && !a.migration().arrived()
                            ? a.migration().lastKnownPostcopyState()
                            : PostcopyState.NONE;
            if (postcopy.inPostcopy()) {
                // Runs, but without all of its memory: the source holds the rest until the
                // post-copy completes (or is recovered). Not yet the zone's one copy.
                z =
                        new ZoneStatus(
                                z.zone(),
                                ZoneState.MIGRATING,
                                z.instance(),
                                z.pid(),
                                "postcopy-" + postcopy.name().toLowerCase(java.util.Locale.ROOT));
            } else if (a != null && a.migration().everRan() && z.state() != ZoneState.DEAD) {
                z = new ZoneStatus(z.zone(), ZoneState.RUNNING, z.instance(), z.pid(), "running");
            } else if (a != null && a.migration().arrived() && z.state() == ZoneState.INCOMING) {
                z = new ZoneStatus(z.zone(), z.state(), z.instance(), z.pid(), ZoneStatus.ARRIVED);
            }
            out.add(z);
        }
        return out;
    }

    @Override
    public ZoneStatus restart(String zone) {
        ZoneWatch w = watch;
        if (w == null) {
            throw ApiException.conflict("host " + host + " runs no zone watch; cannot judge");
        }
        return w.restart(zone, BOOT_TIMEOUT);
    }

    @Override
    public ZoneStatus start(ZoneDefinition zone) {
        awaitRelease(zone.name());
        ZoneSpec spec = spec(zone);
        AttachedDisk disk = null;
        if (zone.disk() != null) {
            disk = zoneDisks.attach(zone.name(), zone.disk(), false);
            spec = spec.withDisk(disk.device());
        }
        try {
            driver.start(spec);
            try {
                driver.awaitReady(zone.name(), BOOT_TIMEOUT);
            } catch (RuntimeException e) {
                driver.stop(zone.name());
                throw e;
            }
        } catch (RuntimeException e) {
            if (disk != null) {
                zoneDisks.detach(disk);
            }
            throw e;
        }
        if (disk != null) {
            slot(zone.name()).disk(disk);
        }
        return driver.status(zone.name());
    }

    @Override
    public void stop(String zone) {
        endArrival(
                zone,
                () -> {
                    zoneDisks.abortMirror(zone);
                    driver.stop(zone);
                });
        AttachedDisk disk = slot(zone).takeDisk();
        if (disk != null) {
            zoneDisks.detach(disk);
        }
        disks.deleteDisk(zone);
        hibernated.delete(zone);
    }

    // ---- hibernation ----

    @Override
    public ZoneStatus suspend(String zone) {
        ZoneSlot slot = slot(zone);
        if (slot.disk() != null || driver.disk(zone).isPresent()) {
            throw new InvalidInputException(
                    "zone '"
                            + zone
                            + "' has a disk: suspend is not supported for zones with disks yet");
        }
        if (!slot.begin("suspend")) {
            throw ApiException.conflict(
                    "zone '" + zone + "' is migrating or busy; it cannot hibernate now");
        }
        try {
            driver.suspend(zone, hibernated.freshTarget(zone));
        } finally {
            slot.end();
        }
        return driver.status(zone);
    }

    @Override
    public ZoneStatus restore(ZoneDefinition zone) {
        String name = zone.name();
        awaitRelease(name);
        ZoneSlot slot = slot(name);
        if (!slot.begin("restore")) {
            throw ApiException.conflict("zone '" + name + "' is busy on " + host);
        }
        try {
            return restoreHere(zone);
        } finally {
            slot.end();
        }
    }

    private ZoneStatus restoreHere(ZoneDefinition zone) {
        String name = zone.name();
        ZoneStatus restored;
        if (driver.zoneNames().contains(name)) {
            ZoneState state = driver.status(name).state();
            if (state != ZoneState.SUSPENDED) {
                throw ApiException.conflict(
                        "zone '" + name + "' is " + state + " on " + host + ", not hibernating");
            }
            restored = driver.restore(name);
        } else {
            Path image = hibernated.image(name);
            if (!Files.isRegularFile(image)) {
                throw ApiException.notFound(
                        "no hibernation image of zone '" + name + "' on " + host);
            }
            restored = driver.restore(spec(zone), image);
        }
        // The zone runs again: its image is history. A failed restore keeps it for a retry.
        hibernated.delete(name);
        return restored;
    }

    @Override
    public TransferTicket receiveHibernated(String zone) {
        if (driver.zoneNames().contains(zone)) {
            throw ApiException.conflict("zone '" + zone + "' already exists on " + host);
        }
        return hibernated.receive(zone);
    }

    @Override
    public StorageTransfer sendHibernated(String zone, HibernatedSend request) {
        return hibernated.send(zone, request);
    }

    @Override
    public void discardHibernated(String zone) {
        if (driver.zoneNames().contains(zone)) {
            ZoneState state = driver.status(zone).state();
            if (state != ZoneState.SUSPENDED) {
                throw ApiException.conflict(
                        "zone '" + zone + "' is " + state + " on " + host + "; not discarding it");
            }
            driver.stop(zone);
        }
        hibernated.delete(zone);
    }

    @Override
    public IncomingTicket prepareIncoming(IncomingRequest request) {
        String zone = request.zone().name();
        awaitRelease(zone);
        ZoneSlot slot = slot(zone);
        if (slot.arrival() != null) {
            throw ApiException.conflict("zone '" + zone + "' is already arriving on " + host);
        }
        Path socket = socketDir.resolve(zone + ".in");
        DiskDefinition definition = request.zone().disk();
        ZoneSpec spec = spec(request.zone());
        AttachedDisk disk = null;
        IncomingMigration migration = null;
        ArrivingDisk export = null;
        try {
            if (definition != null) {
                disk = zoneDisks.attach(zone, definition, true);
                spec = spec.withDisk(disk.device());
            }
            boolean mirrored = disk != null && !disk.isRemote();
            migration = driver.prepareIncoming(spec, request.settings().toOptions(), socket);
            if (mirrored) {
                export =
                        ArrivingDisk.open(
                                disk,
                                driver.incomingStorageMonitor(zone),
                                socketDir.resolve(zone + ".nbd"),
                                tunnels,
                                address,
                                site);
            }
            // A move that may switch to post-copy gets a relay that outlives this agent (a broken
            // post-copy may never recover); a pre-copy's stream stays in the agent, so that an
            // agent that dies fails it at once and the source, still running, keeps the zone.
            AutoCloseable listener =
                    request.settings().postcopy()
                            ? tunnels.relayInto(address, socket)
                            : tunnels.acceptInto(address, socket);
            if (!slot.arrive(new ZoneSlot.Arrival(migration, listener, disk, export))) {
                closeQuietly(listener);
                throw ApiException.conflict("zone '" + zone + "' is already arriving on " + host);
            }
            log.info(
                    "zone {} may arrive on {} at {}:{}{}",
                    zone,
                    host,
                    address,
                    portOf(listener),
                    export == null ? "" : " (disk: " + export.ticket().sync() + " mirror)");
            return new IncomingTicket(zone, site, address.getHostAddress(), portOf(listener));
        } catch (RuntimeException e) {
            if (export != null) {
                export.close();
            }
            if (migration != null) {
                migration.close();
                driver.discardIncoming(zone);
            }
            if (disk != null) {
                zoneDisks.detach(disk);
            }
            throw e;
        }
    }

    @Override
    public DiskTicket incomingDisk(String zone) {
        ZoneSlot.Arrival arrival = slot(zone).arrival();
        if (arrival == null) {
            throw ApiException.notFound("zone '" + zone + "' is not arriving on " + host);
        }
        if (arrival.export() == null) {
            throw new InvalidInputException(
                    "zone '" + zone + "' arrives without a disk to mirror (none, or remote)");
        }
        return arrival.export().ticket();
    }

    @Override
    public MigrationReport migrateOut(String zone, MigrateOutRequest request) {
        return departure.run(zone, request, gate);
    }

    @Override
    public MigrationReport resumePostcopy(String zone, MigrateOutRequest request) {
        return departure.resume(zone, request);
    }

    @Override
    public IncomingTicket recoverIncoming(String zone) {
        ZoneSlot slot = slot(zone);
        ZoneSlot.Arrival arrival = slot.arrival();
        if (arrival == null) {
            // The post-copy began under this host's previous agent: watch its VM anew.
            IncomingMigration again = driver.reattachIncoming(zone);
            if (!slot.arrive(new ZoneSlot.Arrival(again, () -> endRelays(zone), null, null))) {
                again.close();
            }
            arrival = slot.arrival();
        }
        Path socket = socketDir.resolve(zone + ".recover");
        try {
            Files.deleteIfExists(socket);
        } catch (java.io.IOException e) {
            throw new io.livezone.core.EnvironmentException("cannot remove " + socket, e);
        }
        arrival.migration().recover("unix:" + socket, RESUME_TIMEOUT);
        DetachedRelay listener = tunnels.relayInto(address, socket);
        if (!slot.replaceListener(listener)) {
            closeQuietly(listener);
            throw ApiException.notFound("zone '" + zone + "' is not arriving on " + host);
        }
        log.info(
                "zone {}: post-copy recovery may reconnect to {}:{}",
                zone,
                address.getHostAddress(),
                listener.port());
        return new IncomingTicket(zone, site, address.getHostAddress(), listener.port());
    }

    /**
     * How long a migration of {@code zone} out of here may take (its job's deadline): QEMU's
     * completion timeout for the zone's memory, its progress timeout and {@link
     * JobDeadlines#MARGIN}.
     */
    public Duration migrationDeadline(String zone, MigrationSettings settings) {
        MigrationOptions options = settings.toOptions();
        MemorySize memory;
        try {
            memory = driver.spec(zone).memory();
        } catch (RuntimeException e) {
            memory = MemorySize.ofMiB(1024); // not here: the job fails at once anyway
        }
        return options.completionTimeout(memory)
                .plus(options.progressTimeout())
                .plus(JobDeadlines.MARGIN);
    }

    @Override
    public void cancelMigration(String zone) {
        if (!slot(zone).requestCancel()) {
            throw ApiException.conflict("zone '" + zone + "' is not migrating out of " + host);
        }
    }

    @Override
    public Optional<MigrationProgress> progress(String zone) {
        return Optional.ofNullable(slot(zone).progress());
    }

    /**
     * The move's commit: continues the arrived VM and returns once it is confirmed running ({@link
     * #COMMIT_GRACE} after QEMU's RESUME). Idempotent: a commit repeated after a lost answer finds
     * the zone already running here.
     */
    @Override
    public ZoneStatus commitIncoming(String zone) {
        ZoneSlot slot = slot(zone);
        ZoneSlot.Arrival arrival = slot.takeArrival();
        if (arrival == null) {
            // This zone's status only: asking every zone's monitor would wait on migrating ones.
            Optional<ZoneStatus> now =
                    driver.zoneNames().contains(zone)
                            ? Optional.of(driver.status(zone))
                            : Optional.empty();
            if (now.isPresent() && now.get().state() == ZoneState.RUNNING) {
                return now.get();
            }
            boolean markedToRun =
                    now.isPresent()
                            && now.get().state() == ZoneState.PAUSED
                            && now.get().qemuStatus().equals(ZoneStatus.ARRIVED_MARKED);
            if (now.isEmpty() || !(now.get().state() == ZoneState.INCOMING || markedToRun)) {
                throw ApiException.notFound("zone '" + zone + "' is not arriving on " + host);
            }
            // It arrived under this host's previous agent (which may have marked it to run and
            // died before continuing it): watch its VM anew (the driver refuses one that is still
            // waiting for a stream, which died with that agent).
            arrival =
                    new ZoneSlot.Arrival(
                            driver.reattachIncoming(zone), () -> endRelays(zone), null, null);
        }
        long t0 = System.nanoTime();
        try {
            if (arrival.export() != null) {
                arrival.export().awaitHandedOver(RESUME_TIMEOUT);
            }
            java.time.Instant resumed;
            try {
                resumed = driver.commitIncoming(arrival.migration(), RESUME_TIMEOUT, COMMIT_GRACE);
            } catch (PostcopyInterruptedException e) {
                if (e.recoverable()) {
                    // Paused post-copy: the arrival (its monitor, its stream's listener) stays
                    // for the recovery; the commit is asked again after it.
                    slot.arrive(arrival);
                    arrival = null;
                }
                throw e;
            }
            log.info(
                    "zone {} resumed on {} at {} µs (QMP RESUME)",
                    zone,
                    host,
                    resumed.getEpochSecond() * 1_000_000 + resumed.getNano() / 1_000);
            Failpoints.reach("agent.resumed"); // running here; the coordinator does not know yet
        } finally {
            if (arrival != null) {
                closeQuietly(arrival.listener());
                if (arrival.export() != null) {
                    arrival.export().close();
                }
            }
        }
        if (arrival.disk() != null) {
            slot.disk(arrival.disk());
        }
        log.info(
                "zone {} committed on {}: running, confirmed after {} ms",
                zone,
                host,
                (System.nanoTime() - t0) / 1_000_000);
        return driver.status(zone);
    }

    @Override
    public void discardIncoming(String zone) {
        // The driver refuses a zone that runs or is suspended here.
        endArrival(zone, () -> driver.discardIncoming(zone));
        // No VM of the zone is left here, so its disk file belonged to the arrival, even when a
        // restarted agent adopted it as if the zone ran here.
        ZoneSlot slot = slot(zone);
        AttachedDisk adopted = slot.takeDisk();
        if (adopted != null) {
            adopted.release();
        }
        disks.deleteDisk(zone);
    }

    /**
     * Closes what an arrival holds open around {@code endVm}, which ends its VM (or nothing); the
     * disk file is the caller's to remove. The disk export is closed after the VM: a post-copy
     * destination whose main loop waits for a page that cannot come answers no monitor command, and
     * removing the export first would wait for it.
     */
    private void endArrival(String zone, Runnable endVm) {
        ZoneSlot.Arrival arrival = slot(zone).takeArrival();
        if (arrival != null) {
            arrival.migration().close();
            closeQuietly(arrival.listener());
        }
        endRelays(zone); // relays a previous agent of this host started
        try {
            endVm.run();
        } finally {
            if (arrival != null) {
                if (arrival.export() != null) {
                    arrival.export().close();
                }
                if (arrival.disk() != null) {
                    arrival.disk().release();
                }
            }
        }
    }

    private static int portOf(AutoCloseable listener) {
        return listener instanceof DetachedRelay r
                ? r.port()
                : ((TcpToUnixForwarder) listener).port();
    }

    /**
     * Ends the relays that carry {@code zone}'s incoming streams, whichever agent started them:
     * they outlive the agent on purpose, so one restarted finds them by their socket.
     */
    private void endRelays(String zone) {
        for (String stream : List.of(".in", ".recover")) {
            DetachedRelay.find(socketDir.resolve(zone + stream)).ifPresent(DetachedRelay::close);
        }
    }

    @Override
    public void releaseMigrated(String zone) {
        // The zone already runs elsewhere; ending its stopped VM here is clean-up, so the plan
        // need not wait for it. Anything that needs the zone's name here again waits instead.
        ZoneSlot slot = slot(zone);
        slot.releasing(
                CompletableFuture.runAsync(
                        () -> {
                            zoneDisks.abortMirror(zone);
                            driver.releaseMigrated(zone);
                            AttachedDisk disk = slot.takeDisk();
                            if (disk != null) {
                                zoneDisks.detach(disk);
                            }
                            slot.departed(null);
                        },
                        background));
    }

    /** Waits for the release of a zone that left this host, if one is under way. */
    private void awaitRelease(String zone) {
        ZoneSlot slot = slots.get(zone);
        CompletableFuture<Void> r = slot == null ? null : slot.takeRelease();
        if (r != null) {
            try {
                r.get(2, TimeUnit.MINUTES);
            } catch (Exception e) {
                log.warn("release of {} failed: {}", zone, e.toString());
            }
        }
    }

    @Override
    public void resumeSource(String zone) {
        driver.resumeAfterFailedHandover(zone);
        slot(zone).departed(null);
    }

    // ---- storage ----

    @Override
    public BaseImageInfo createBaseImage(BaseImageSpec spec) {
        return disks.createBase(spec);
    }

    @Override
    public BaseImageInfo importBaseImage(BaseImageImport request) {
        return disks.importBase(request);
    }

    @Override
    public TransferTicket receiveBaseImage(BaseImageInfo image) {
        return shipping.receive(image);
    }

    @Override
    public StorageTransfer sendBaseImage(BaseImageSend request) {
        return shipping.send(request);
    }

    @Override
    public StorageTransfer mirrorDisk(String zone, DiskMirrorRequest request) {
        return zoneDisks.mirror(zone, request);
    }

    @Override
    public StorageTransfer outgoingDisk(String zone) {
        return zoneDisks.departed(zone);
    }

    @Override
    public void abortDiskMirror(String zone) {
        zoneDisks.abortMirror(zone);
    }

    @Override
    public StorageTransfer pullDisk(String zone) {
        return zoneDisks.pull(zone);
    }

    @Override
    public RemoteDisk serveDisk(ServeDiskRequest request) {
        if (request.disk().remote() != null) {
            throw new InvalidInputException("a served disk must be defined without a remote");
        }
        return served.serve(request.zone(), request.disk());
    }

    @Override
    public void stopServingDisk(String zone) {
        ZoneSpec.validateName(zone);
        served.stop(zone);
    }

    private ZoneSpec spec(ZoneDefinition zone) {
        return zone.toSpec(GuestImage.bootFor(boot, zone), Optional.of(driver.networkGateway()));
    }

    @Override
    public void close() {
        List.copyOf(slots.keySet())
                .forEach(
                        zone -> {
                            awaitRelease(zone);
                            endArrival(zone, () -> {});
                            zoneDisks.abortMirror(zone);
                        });
        served.close();
        slots.values().stream()
                .map(ZoneSlot::disk)
                .filter(java.util.Objects::nonNull)
                .forEach(AttachedDisk::release);
        tunnels.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("close failed: {}", e.toString());
        }
    }
}
