package io.livezone.qemu;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.core.BootImage;
import io.livezone.core.DiskDevice;
import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationListener;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStats;
import io.livezone.core.ZoneStatus;
import io.livezone.network.ZoneNetwork;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpEvent;
import io.livezone.qemu.qmp.QmpException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs zones as QEMU VMs on one host. State lives in a folder (one sub-folder per zone, one per
 * QEMU instance), so separate CLI invocations see the same zones; QMP connections are opened per
 * operation because QEMU serves one QMP client per socket at a time.
 */
public final class QemuZoneDriver implements ZoneDriver {
    private static final Logger log = LoggerFactory.getLogger(QemuZoneDriver.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path zonesDir;
    private final ZoneNetwork network;
    private final Accelerator accelerator;

    /**
     * One lock per zone: every operation that changes a zone's VMs or record holds its zone's lock,
     * so operations on one zone never interleave, while a long one (a 10-minute suspend) never
     * holds up another zone's commit or stop. Reentrant: stop runs inside release and discard.
     */
    private final Map<String, ReentrantLock> zoneLocks = new ConcurrentHashMap<>();

    /**
     * Guards what zones share: a new zone's name, address and MAC are checked against every zone
     * and its record written in one step. Taken inside a zone's lock, never the other way round.
     */
    private final Object admission = new Object();

    public QemuZoneDriver(Path stateDir, ZoneNetwork network, Accelerator accelerator) {
        this.zonesDir = stateDir.toAbsolutePath().resolve("zones");
        this.network = network;
        this.accelerator = accelerator;
    }

    public Accelerator accelerator() {
        return accelerator;
    }

    public ZoneNetwork network() {
        return network;
    }

    @Override
    public java.net.Inet4Address networkGateway() {
        return network.gateway().address();
    }

    @Override
    public ZoneStatus start(ZoneSpec spec) {
        return underLock(spec.name(), () -> startLocked(spec));
    }

    private ZoneStatus startLocked(ZoneSpec spec) {
        Path dir = zoneDir(spec.name());
        admit(spec, ZoneRecord.of(spec).withActive("i1", 1));
        try {
            QemuInstance.launch(spec, "i1", dir.resolve("i1"), network, accelerator, false);
        } catch (RuntimeException e) {
            QemuInstance.deleteTree(dir);
            throw e;
        }
        log.info(
                "zone {} started ({} {}, {})",
                spec.name(),
                spec.memory(),
                spec.nic().address(),
                accelerator.id());
        return status(spec.name());
    }

    /** Waits until the zone's server is up (it prints a ready line on the serial console). */
    @Override
    public void awaitReady(String zone, Duration timeout) {
        active(zone).awaitReady(timeout);
    }

    @Override
    public void stop(String zone) {
        underLock(zone, () -> stopLocked(zone));
    }

    private void stopLocked(String zone) {
        ZoneRecord record = load(zone);
        if (record.activeInstance() != null) {
            instance(record, record.activeInstance()).destroy();
        }
        // Leftovers of an interrupted migration are instances too.
        try (var dirs = Files.list(zoneDir(zone))) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                QemuInstance.existing(zone, d.getFileName().toString(), d, network).destroy();
            }
        } catch (IOException e) {
            throw new LiveZoneException("cannot list " + zoneDir(zone) + ": " + e.getMessage());
        }
        QemuInstance.deleteTree(zoneDir(zone));
        log.info("zone {} stopped", zone);
    }

    @Override
    public void pause(String zone) {
        try (QmpClient qmp = running(zone).connect()) {
            qmp.execute("stop");
        }
    }

    @Override
    public void resume(String zone) {
        try (QmpClient qmp = running(zone).connect()) {
            qmp.execute("cont");
        }
    }

    @Override
    public void suspend(String zone, Path file) {
        underLock(zone, () -> suspendLocked(zone, file));
    }

    private void suspendLocked(String zone, Path file) {
        Path target = validateSuspendFile(file);
        ZoneRecord record = load(zone);
        QemuInstance instance = running(zone);
        try (QmpClient qmp = instance.connect()) {
            qmp.execute(
                    "migrate-set-capabilities",
                    Map.of("capabilities", List.of(Map.of("capability", "events", "state", true))));
            var done =
                    qmp.expectEvent(
                            e ->
                                    e.name().equals("MIGRATION")
                                            && e.data()
                                                    .path("status")
                                                    .asText()
                                                    .matches("completed|failed|cancelled"));
            // QEMU 7.2 has no file: migration URI; exec: with cat is its documented way to save to
            // a file.
            qmp.execute("migrate", Map.of("uri", "exec:cat > '" + target + "'"));
            QmpEvent end = done.await(Duration.ofMinutes(10));
            String status = end.data().path("status").asText();
            if (!status.equals("completed")) {
                String reason =
                        qmp.execute("query-migrate").path("error-desc").asText("no reason given");
                if (!qmp.execute("query-status").path("running").asBoolean()) {
                    qmp.execute("cont");
                }
                deleteQuietly(target);
                throw new LiveZoneException(
                        "suspend of zone '"
                                + zone
                                + "' failed: "
                                + reason
                                + "; zone keeps running");
            }
        } catch (QmpException e) {
            deleteQuietly(target);
            throw new LiveZoneException(
                    "suspend of zone '" + zone + "' failed: " + e.getMessage(), e);
        }
        save(record.suspended(target.toString()));
        instance.destroy();
        log.info("zone {} suspended to {}", zone, target);
    }

    /** Resumes a zone this driver suspended, from the file it was saved to. */
    @Override
    public ZoneStatus restore(String zone) {
        ZoneRecord record = load(zone);
        if (record.suspendedTo() == null) {
            throw new InvalidInputException("zone '" + zone + "' is not suspended");
        }
        return restore(record.spec(), Path.of(record.suspendedTo()));
    }

    @Override
    public ZoneStatus restore(ZoneSpec spec, Path file) {
        return underLock(spec.name(), () -> restoreLocked(spec, file));
    }

    private ZoneStatus restoreLocked(ZoneSpec spec, Path file) {
        Path source = file.toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            throw new InvalidInputException("no suspended zone image at " + source);
        }
        checkShellSafe(source);
        Optional<ZoneRecord> existing = find(spec.name());
        if (existing.isPresent() && existing.get().activeInstance() != null) {
            throw new ZoneAlreadyExistsException(spec.name());
        }
        if (existing.isEmpty()) {
            synchronized (admission) {
                validateNew(spec);
            }
        }
        ZoneRecord base = existing.orElse(ZoneRecord.of(spec));
        int seq = base.instanceSeq() + 1;
        String id = "i" + seq;
        Path dir = zoneDir(spec.name());
        QemuInstance instance = null;
        try {
            Files.createDirectories(dir);
            instance = QemuInstance.launch(spec, id, dir.resolve(id), network, accelerator, true);
            try (QmpClient qmp = instance.connect()) {
                var resumed = qmp.expectEvent(QmpEvent.named("RESUME"));
                qmp.execute("migrate-incoming", Map.of("uri", "exec:cat '" + source + "'"));
                resumed.await(Duration.ofMinutes(5));
            }
        } catch (IOException | RuntimeException e) {
            if (instance != null) {
                instance.destroy();
            }
            if (existing.isEmpty()) {
                QemuInstance.deleteTree(dir);
            }
            throw new LiveZoneException(
                    "resume of zone '"
                            + spec.name()
                            + "' from "
                            + source
                            + " failed: "
                            + e.getMessage(),
                    e);
        }
        save(base.withActive(id, seq));
        log.info("zone {} resumed from {}", spec.name(), source);
        return status(spec.name());
    }

    @Override
    public ZoneStatus status(String zone) {
        ZoneRecord record = load(zone);
        if (record.activeInstance() == null && record.incomingInstance() != null) {
            QemuInstance incoming = instance(record, record.incomingInstance());
            OptionalLong pid = incoming.pid().map(OptionalLong::of).orElse(OptionalLong.empty());
            // Still "incoming" in the record: it was never continued, so it never ran.
            return new ZoneStatus(
                    zone,
                    incoming.isAlive() ? ZoneState.INCOMING : ZoneState.ARRIVAL_FAILED,
                    incoming.id(),
                    pid,
                    incoming.isAlive() ? "inmigrate" : "dead before it ran");
        }
        if (record.activeInstance() == null) {
            return new ZoneStatus(
                    zone, ZoneState.SUSPENDED, "-", OptionalLong.empty(), "suspended");
        }
        QemuInstance instance = instance(record, record.activeInstance());
        OptionalLong pid = instance.pid().map(OptionalLong::of).orElse(OptionalLong.empty());
        if (!instance.isAlive()) {
            return new ZoneStatus(zone, ZoneState.DEAD, instance.id(), pid, "dead");
        }
        try (QmpClient qmp = instance.connect()) {
            String qemuStatus = qmp.execute("query-status").path("status").asText();
            String migration = qmp.execute("query-migrate").path("status").asText("none");
            // Either half of a post-copy (active, paused or recovering) holds part of the zone:
            // it is migrating, whatever its run state says, until the post-copy completes.
            boolean postcopy = migration.startsWith("postcopy");
            ZoneState state =
                    postcopy || migration.matches("setup|active|pre-switchover|device")
                            ? ZoneState.MIGRATING
                            : qemuStatus.equals("running") ? ZoneState.RUNNING : ZoneState.PAUSED;
            // A stopped source says why: after "completed" or in post-copy its destination holds
            // the zone, and only the coordinator may decide to run this copy again.
            String detail =
                    postcopy || (state == ZoneState.PAUSED && !migration.equals("none"))
                            ? qemuStatus + "; migration " + migration
                            : qemuStatus;
            if (state == ZoneState.PAUSED
                    && qemuStatus.equals("paused")
                    && migration.equals("completed")) {
                detail = ZoneStatus.ARRIVED_MARKED;
            }
            return new ZoneStatus(zone, state, instance.id(), pid, detail);
        } catch (QmpException e) {
            // Busy QMP socket (another client, e.g. a migration in progress) is not a dead zone.
            return new ZoneStatus(
                    zone, ZoneState.MIGRATING, instance.id(), pid, "busy: " + e.getMessage());
        }
    }

    @Override
    public ZoneStatus statusInMigration(String zone) {
        ZoneRecord record = load(zone);
        if (record.activeInstance() == null) {
            return status(zone); // arriving or suspended: told by the record and the process
        }
        QemuInstance instance = instance(record, record.activeInstance());
        OptionalLong pid = instance.pid().map(OptionalLong::of).orElse(OptionalLong.empty());
        return instance.isAlive()
                ? new ZoneStatus(zone, ZoneState.MIGRATING, instance.id(), pid, "in a migration")
                : new ZoneStatus(zone, ZoneState.DEAD, instance.id(), pid, "dead");
    }

    @Override
    public ZoneStats stats(String zone) {
        ZoneRecord record = load(zone);
        QemuInstance instance = running(zone);
        long pid = instance.pid().orElseThrow();
        return new ZoneStats(
                zone,
                ProcStats.cpuMillis(pid),
                ProcStats.residentBytes(pid),
                record.memoryMiB() * 1024 * 1024,
                record.vcpus());
    }

    @Override
    public List<ZoneStatus> list() {
        List<ZoneStatus> out = new ArrayList<>();
        if (!Files.isDirectory(zonesDir)) {
            return out;
        }
        try (var dirs = Files.list(zonesDir)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.exists(d.resolve("zone.json"))) {
                    out.add(status(d.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new LiveZoneException("cannot list zones in " + zonesDir + ": " + e.getMessage());
        }
        return out;
    }

    @Override
    public ZoneSpec spec(String zone) {
        return load(zone).spec();
    }

    @Override
    public MigrationReport migrateLocal(
            String zone,
            MigrationOptions options,
            SwitchoverHook hook,
            MigrationListener listener) {
        return underLock(zone, () -> migrateLocalLocked(zone, options, hook, listener));
    }

    private MigrationReport migrateLocalLocked(
            String zone,
            MigrationOptions options,
            SwitchoverHook hook,
            MigrationListener listener) {
        ZoneRecord record = load(zone);
        QemuInstance source = running(zone);
        ZoneSpec spec = record.spec();
        int seq = record.instanceSeq() + 1;
        String id = "i" + seq;
        QemuInstance destination =
                QemuInstance.launch(
                        spec, id, zoneDir(zone).resolve(id), network, accelerator, true);
        // At the switchover the stopped source's tap goes down: the bridge forgets that the zone's
        // MAC lives there and floods the zone's inbound frames to the new tap, instead of sending
        // them to the dead port until it relearns. Measured: players' inbound datagrams reach the
        // new tap ~15 ms after the stop. The caller's hook (a gateway's hold) runs first: frames
        // sent before the hold then all queue at the source, which a gateway can replay in order,
        // and none overtake them at the new tap.
        SwitchoverHook atSwitchover =
                z -> {
                    hook.atSwitchover(z);
                    network.setTapLink(source.tap(), false);
                };
        MigrationReport report;
        try (QmpClient src = source.connect();
                QmpClient dst = destination.connect()) {
            report =
                    new LiveMigration(
                                    zone, src, dst, spec.memory(), options, atSwitchover, listener)
                            .run("127.0.0.1", source.id(), id);
        } catch (PostcopyInterruptedException e) {
            // Past post-copy's point of no return: neither half alone is the zone. Both
            // instances stay as they are (the source stopped, its tap down); stop() removes both.
            log.error("zone {}: {}", zone, e.getMessage());
            throw e;
        } catch (MigrationFailedException e) {
            reconnect(source);
            destination.destroy();
            throw e;
        } catch (RuntimeException e) {
            reconnect(source);
            destination.destroy();
            throw new MigrationFailedException(
                    "migration of zone '"
                            + zone
                            + "' failed: "
                            + e.getMessage()
                            + (source.isAlive() ? "; the zone keeps running at its source" : ""),
                    source.isAlive(),
                    e);
        }
        save(record.withActive(id, seq));
        source.destroy();
        return report;
    }

    /**
     * Destination half of a migration between hosts: starts a VM for {@code spec} that waits for
     * the migration stream on the unix socket {@code socket} (the host agent carries the stream
     * between hosts). The zone must not exist here yet. The VM stays paused when the stream is
     * complete, until {@link #commitIncoming} (see {@link IncomingMigration}).
     */
    @Override
    public IncomingMigration prepareIncoming(ZoneSpec spec, MigrationOptions options, Path socket) {
        return underLock(spec.name(), () -> prepareIncomingLocked(spec, options, socket));
    }

    private IncomingMigration prepareIncomingLocked(
            ZoneSpec spec, MigrationOptions options, Path socket) {
        admit(spec, ZoneRecord.of(spec).withIncoming("i1", 1));
        Path dir = zoneDir(spec.name());
        QemuInstance instance = null;
        QmpClient qmp = null;
        try {
            instance =
                    QemuInstance.launch(
                            spec, "i1", dir.resolve("i1"), network, accelerator, true, true);
            qmp = instance.connect();
            var resumed = qmp.expectEvent(QmpEvent.named("RESUME"));
            IncomingMigration incoming =
                    new IncomingMigration(
                            spec.name(), qmp, resumed, () -> markRunning(spec.name()));
            LiveMigration.prepareIncoming(qmp, options, "unix:" + socket);
            return incoming;
        } catch (RuntimeException e) {
            if (qmp != null) {
                qmp.close();
            }
            if (instance != null) {
                instance.destroy();
            }
            QemuInstance.deleteTree(dir);
            throw e;
        }
    }

    /**
     * Checks a new zone against every other one and writes its first record, in one step: two zones
     * created at once cannot both take a name, an address or a MAC.
     */
    private void admit(ZoneSpec spec, ZoneRecord record) {
        Path dir = zoneDir(spec.name());
        synchronized (admission) {
            validateNew(spec);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new EnvironmentException("cannot create " + dir, e);
            }
            save(record);
        }
    }

    /**
     * Records, before the arriving VM is continued, that it is the zone's active instance here:
     * from then on it may hold the zone's only current state, and a restarted agent must say so (a
     * dead arriving VM that never ran held nothing; one that ran may have).
     */
    private void markRunning(String zone) {
        underLock(
                zone,
                () -> {
                    ZoneRecord record = load(zone);
                    if (record.incomingInstance() != null) {
                        save(record.withActive(record.incomingInstance(), record.instanceSeq()));
                    }
                });
    }

    /**
     * The commit of a migration to this host: once the stream is complete, continues the arrived
     * VM, waits for QEMU's RESUME and then confirms, {@code grace} later, that the VM is alive and
     * still running. Returns when it resumed (QEMU's RESUME stamp). Closes {@code incoming}, except
     * when it throws a recoverable {@link PostcopyInterruptedException} (the post-copy is paused
     * here): then {@code incoming} stays open for {@link IncomingMigration#recover}, and the commit
     * is repeated after the recovery.
     */
    @Override
    public java.time.Instant commitIncoming(
            IncomingMigration incoming, Duration timeout, Duration grace) {
        String zone = incoming.zone();
        QmpEvent resumed;
        try {
            incoming.awaitArrival(timeout);
            incoming.run();
            resumed = incoming.awaitResume(timeout);
            Thread.sleep(grace.toMillis());
            String state = incoming.runState();
            if (!state.equals("running")) {
                throw new LiveZoneException("it ran, then stopped: QEMU's run state is " + state);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            incoming.close();
            throw new LiveZoneException("interrupted while committing zone '" + zone + "'");
        } catch (PostcopyInterruptedException e) {
            if (!e.recoverable()) {
                incoming.close();
            }
            // A paused post-copy stays open: its recovery needs this monitor.
            throw e;
        } catch (RuntimeException e) {
            incoming.close();
            ZoneRecord record = load(zone);
            String instanceId =
                    record.activeInstance() != null
                            ? record.activeInstance()
                            : record.incomingInstance();
            QemuInstance vm = instance(record, instanceId);
            throw new LiveZoneException(
                    "the destination VM of zone '"
                            + zone
                            + "' is not confirmed running: "
                            + e.getMessage()
                            + (vm.isAlive() ? "" : "; its QEMU is gone")
                            + "; QEMU said: "
                            + vm.errorOutput()
                            + "; console: "
                            + vm.consoleTail(),
                    e);
        }
        incoming.close();
        log.info("zone {} arrived and runs here", zone);
        return resumed.timestamp();
    }

    /**
     * A destination whose agent restarted (and with it the {@link IncomingMigration} that watched
     * it): a new one over a new monitor connection. Either the half of a post-copy, marked as
     * having run, so the post-copy can be recovered; or a VM that arrived whole and is paused
     * (never continued, or marked to run just before its agent died), marked as arrived, so its
     * commit can continue it.
     */
    @Override
    public IncomingMigration reattachIncoming(String zone) {
        return underLock(
                zone,
                () -> {
                    ZoneRecord record = load(zone);
                    String id =
                            record.activeInstance() != null
                                    ? record.activeInstance()
                                    : record.incomingInstance();
                    if (id == null) {
                        throw new InvalidInputException("zone '" + zone + "' has no VM here");
                    }
                    QemuInstance vm = instance(record, id);
                    if (record.diskDevice() != null) {
                        // The disk mirror ended at the switchover, before the post-copy; its NBD
                        // export, which the previous agent would have removed at completion,
                        // must go, or the disk cannot be activated when the zone completes.
                        if (vm.stopLeftoverDiskExport()) {
                            log.info("zone {}: removed the disk export of its arrival", zone);
                        }
                    }
                    QmpClient qmp = vm.connect();
                    try {
                        String run = qmp.execute("query-status").path("status").asText();
                        String migration =
                                qmp.execute("query-migrate").path("status").asText("none");
                        // Whole and paused: never continued, or marked to run by an agent
                        // that died before its continue. Either way its commit continues it.
                        boolean arrived = migration.equals("completed") && !run.equals("running");
                        if (!arrived && !migration.startsWith("postcopy")) {
                            throw new InvalidInputException(
                                    "zone '"
                                            + zone
                                            + "' cannot be taken up again here: neither arrived"
                                            + " whole nor in post-copy (run state "
                                            + run
                                            + ", migration "
                                            + migration
                                            + ")");
                        }
                        var resumed = qmp.expectEvent(QmpEvent.named("RESUME"));
                        IncomingMigration incoming =
                                new IncomingMigration(zone, qmp, resumed, () -> markRunning(zone));
                        if (arrived) {
                            incoming.arrivedBefore();
                        } else {
                            incoming.ranBefore();
                        }
                        return incoming;
                    } catch (RuntimeException e) {
                        qmp.close();
                        throw e;
                    }
                });
    }

    /** Drops a zone that was arriving here (its migration failed or was cancelled). */
    @Override
    public void discardIncoming(String zone) {
        underLock(
                zone,
                () -> {
                    Optional<ZoneRecord> record = find(zone);
                    if (record.isEmpty()) {
                        return;
                    }
                    if (record.get().activeInstance() != null) {
                        throw new InvalidInputException(
                                "zone '" + zone + "' already runs here; it is no longer arriving");
                    }
                    if (record.get().incomingInstance() == null) {
                        throw new InvalidInputException(
                                "zone '" + zone + "' is suspended here; it is not arriving");
                    }
                    stopLocked(zone);
                });
    }

    /**
     * Source half of a migration between hosts: migrates the zone's running VM to {@code uri}
     * (prepared by the destination host). On success the VM here is stopped but kept until {@link
     * #releaseMigrated}, so the caller can still fall back if the destination does not come up; on
     * failure the zone keeps running here. At the switchover pause {@code hold} runs first (a
     * players' gateway starts holding), then the source's tap goes down, then {@code hook}.
     */
    @Override
    public MigrationReport migrateOut(
            String zone,
            String uri,
            MigrationOptions options,
            SwitchoverHook hold,
            SwitchoverHook hook,
            MigrationListener listener,
            java.util.function.BooleanSupplier cancelled) {
        return migrateOut(
                zone,
                uri,
                options,
                hold,
                hook,
                listener,
                cancelled,
                LiveMigration.DEFAULT_POSTCOPY_STALL);
    }

    /**
     * Like {@link #migrateOut(String, String, MigrationOptions, SwitchoverHook, SwitchoverHook,
     * MigrationListener, java.util.function.BooleanSupplier)}; a post-copy stream that sends
     * nothing for {@code postcopyStall} is paused ({@link
     * LiveMigration#pauseStalledPostcopyAfter}).
     *
     * @throws PostcopyInterruptedException once post-copy began: the VM here stays stopped with its
     *     tap down (never resumed); if {@linkplain PostcopyInterruptedException#recoverable()
     *     recoverable}, continue with {@link #resumePostcopyOut} after the destination's {@link
     *     IncomingMigration#recover}
     */
    public MigrationReport migrateOut(
            String zone,
            String uri,
            MigrationOptions options,
            SwitchoverHook hold,
            SwitchoverHook hook,
            MigrationListener listener,
            java.util.function.BooleanSupplier cancelled,
            Duration postcopyStall) {
        ZoneRecord record = load(zone);
        QemuInstance source = running(zone);
        // As in migrateLocal: the players' gateway holds first, then the source's tap goes down
        // (frames then flood to the destination's tap), then the rest of the switchover work.
        SwitchoverHook atSwitchover =
                z -> {
                    hold.atSwitchover(z);
                    network.setTapLink(source.tap(), false);
                    hook.atSwitchover(z);
                };
        try (QmpClient src = source.connect()) {
            return new LiveMigration(
                            zone,
                            src,
                            null,
                            record.spec().memory(),
                            options,
                            atSwitchover,
                            listener)
                    .cancelWhen(cancelled)
                    .pauseStalledPostcopyAfter(postcopyStall)
                    .runTo(uri, source.id(), "remote");
        } catch (PostcopyInterruptedException e) {
            log.error("zone {}: {}", zone, e.getMessage());
            throw e; // the source stays stopped, its tap down: see PostcopyState
        } catch (MigrationFailedException e) {
            reconnect(source);
            throw e;
        } catch (RuntimeException e) {
            reconnect(source);
            throw new MigrationFailedException(
                    "migration of zone '"
                            + zone
                            + "' failed: "
                            + e.getMessage()
                            + (source.isAlive() ? "; the zone keeps running at its source" : ""),
                    source.isAlive(),
                    e);
        }
    }

    /**
     * Source half of a post-copy recovery: continues the zone's paused outgoing post-copy into
     * {@code uri}, which must reach the address the destination's {@link IncomingMigration#recover}
     * returned. Returns when the migration completed; the VM here is then stopped for good, kept
     * until {@link #releaseMigrated} as after {@link #migrateOut}. Never resumes the VM here.
     *
     * @throws PostcopyInterruptedException {@code PAUSED} again if the new stream broke, stalled
     *     for {@code postcopyStall} or could not be opened (retry with a new destination address);
     *     {@code ZONE_AT_RISK} if this VM's QEMU is gone or failed the migration
     * @throws io.livezone.core.InvalidInputException if the zone's migration here is not paused
     */
    @Override
    public MigrationReport resumePostcopyOut(
            String zone, String uri, MigrationListener listener, Duration postcopyStall) {
        ZoneRecord record = load(zone);
        QemuInstance source = active(zone);
        if (!source.isAlive()) {
            throw PostcopyInterruptedException.zoneAtRisk(
                    zone,
                    "postcopy-paused",
                    "the source's QEMU is gone, and with it the pages the destination has not"
                            + " received",
                    null);
        }
        try (QmpClient src = source.connect()) {
            return new LiveMigration(
                            zone,
                            src,
                            null,
                            record.spec().memory(),
                            MigrationOptions.DEFAULT,
                            SwitchoverHook.NONE,
                            listener)
                    .pauseStalledPostcopyAfter(postcopyStall)
                    .resumePostcopy(uri, source.id(), "remote");
        }
    }

    /**
     * Where the zone's VM here stands in post-copy (its active instance: the source of an outgoing
     * migration). Opens its own monitor connection, so ask only while no migration of this zone is
     * driven here ({@link #migrateOut} and {@link #resumePostcopyOut} hold the monitor); a
     * destination's state comes from its {@link IncomingMigration#postcopyState}. {@link
     * PostcopyState#GONE} when the VM's QEMU has ended.
     */
    public PostcopyState postcopyState(String zone) {
        QemuInstance instance = active(zone);
        if (!instance.isAlive()) {
            return PostcopyState.GONE;
        }
        try (QmpClient qmp = QmpClient.connect(instance.qmpSocket(), Duration.ofSeconds(5))) {
            return PostcopyState.of(qmp.execute("query-migrate").path("status").asText("none"));
        } catch (QmpException e) {
            return instance.isAlive() ? PostcopyState.NONE : PostcopyState.GONE;
        }
    }

    /**
     * Restarts a source whose outgoing migration completed but whose destination never ran: the
     * stopped VM still holds the zone's whole state.
     */
    @Override
    public void resumeAfterFailedHandover(String zone) {
        underLock(
                zone,
                () -> {
                    QemuInstance source = running(zone);
                    reconnect(source);
                    try (QmpClient qmp = source.connect()) {
                        qmp.execute("cont");
                    }
                });
    }

    /** Forgets a zone that now runs on another host: ends its stopped VM here. */
    @Override
    public void releaseMigrated(String zone) {
        stop(zone);
    }

    /** Brings a source's tap back after an aborted switchover; never hides the original failure. */
    private void reconnect(QemuInstance source) {
        try {
            network.setTapLink(source.tap(), true);
        } catch (RuntimeException e) {
            log.warn("could not bring tap {} back up: {}", source.tap(), e.getMessage());
        }
    }

    /** The disk the zone's VM has attached, if any. */
    @Override
    public Optional<DiskDevice> disk(String zone) {
        return Optional.ofNullable(load(zone).diskDevice());
    }

    /**
     * Records that the zone's running VM now has its disk attached as {@code device} (a storage job
     * changed it, e.g. a pull); later instances of the zone attach it so.
     */
    @Override
    public void updateDisk(String zone, DiskDevice device) {
        underLock(zone, () -> save(load(zone).withDiskDevice(device)));
    }

    /**
     * The storage monitor (a second QMP socket, free while the driver uses the first) of the zone's
     * running VM. Only VMs with a disk have one.
     */
    @Override
    public Path storageMonitor(String zone) {
        ZoneRecord record = load(zone);
        requireDisk(record);
        return running(zone).storageSocket();
    }

    /** The storage monitor of the VM a zone is arriving in. */
    @Override
    public Path incomingStorageMonitor(String zone) {
        ZoneRecord record = load(zone);
        requireDisk(record);
        if (record.incomingInstance() == null) {
            throw new InvalidInputException("zone '" + zone + "' is not arriving here");
        }
        return instance(record, record.incomingInstance()).storageSocket();
    }

    private static void requireDisk(ZoneRecord record) {
        if (record.diskDevice() == null) {
            throw new InvalidInputException("zone '" + record.name() + "' has no disk");
        }
    }

    /** Kills the zone's current QEMU process without clean-up (tests: a crashed instance). */
    public void killActiveInstance(String zone) {
        active(zone).kill();
    }

    /** Kills any instance of the zone other than the active one, e.g. a migration's destination. */
    public boolean killIncomingInstance(String zone) {
        ZoneRecord record = load(zone);
        try (var dirs = Files.list(zoneDir(zone))) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String id = d.getFileName().toString();
                if (!id.equals(record.activeInstance())) {
                    QemuInstance i = QemuInstance.existing(zone, id, d, network);
                    if (i.isAlive()) {
                        i.kill();
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            throw new LiveZoneException(e.getMessage());
        }
        return false;
    }

    // ---- health: a zone watch's looks, a restarted agent's recovery, restarting a dead zone ----

    /**
     * One look at the zone's active VM for a zone watch: process alive, and what its monitor says
     * (asked with {@code monitorTimeout}; a monitor that makes us wait is reported, not judged).
     */
    @Override
    public VmCheck check(String zone, Duration monitorTimeout) {
        return new VmInspection(this).check(zone, monitorTimeout);
    }

    /** A failure record for {@code instance}: QEMU's output, exit status, the console's end. */
    @Override
    public io.livezone.core.ZoneFailure describeFailure(
            String zone, String instance, String reason, long atMillis) {
        return new VmInspection(this).describe(zone, instance, reason, atMillis);
    }

    /**
     * After an agent restart: settles every live VM the previous agent left (see {@link
     * OrphanDecision}); call before serving requests.
     */
    public List<RecoveredVm> recoverOrphans() {
        return new OrphanRecovery(this).run();
    }

    /**
     * Boots a zone whose VM died again, from its image and disk: ends every instance of the zone
     * (the dead one, a hung one, leftovers) and starts a fresh one. Returns once QEMU runs; wait
     * for the zone server with {@link #awaitReady}.
     */
    @Override
    public ZoneStatus restartFailed(String zone) {
        return underLock(zone, () -> restartFailedLocked(zone));
    }

    private ZoneStatus restartFailedLocked(String zone) {
        ZoneRecord record = load(zone);
        if (record.activeInstance() == null) {
            throw new InvalidInputException(
                    "zone '" + zone + "' has no VM here to restart (suspended or arriving)");
        }
        try (var dirs = Files.list(zoneDir(zone))) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                QemuInstance.existing(zone, d.getFileName().toString(), d, network).destroy();
            }
        } catch (IOException e) {
            throw new LiveZoneException("cannot list " + zoneDir(zone) + ": " + e.getMessage());
        }
        int seq = record.instanceSeq() + 1;
        String id = "i" + seq;
        // Recorded first, as start() does: if the launch fails, or this process dies before QEMU
        // runs, the zone's active instance is one whose process is not there — a dead zone, which
        // the watch reports again — rather than a QEMU the record does not know.
        save(record.withActive(id, seq));
        QemuInstance.launch(
                record.spec(), id, zoneDir(zone).resolve(id), network, accelerator, false);
        log.info("zone {} restarted in instance {}", zone, id);
        return status(zone);
    }

    /** Whether the tap of the zone's active instance is up (players' frames reach it). */
    public boolean activeTapUp(String zone) {
        return network.isTapUp(active(zone).tap());
    }

    /** Runs {@code work} holding the zone's lock (see {@link #zoneLocks}). */
    <T> T underLock(String zone, Supplier<T> work) {
        ReentrantLock lock = zoneLocks.computeIfAbsent(zone, z -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Like {@link #underLock(String, Supplier)}, waiting at most {@code wait} for the lock; empty
     * if another operation held it that long.
     */
    <T> Optional<T> underLockWithin(String zone, Duration wait, Supplier<T> work) {
        ReentrantLock lock = zoneLocks.computeIfAbsent(zone, z -> new ReentrantLock());
        try {
            if (!lock.tryLock(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(work.get());
        } finally {
            lock.unlock();
        }
    }

    void underLock(String zone, Runnable work) {
        underLock(
                zone,
                () -> {
                    work.run();
                    return null;
                });
    }

    Path zoneFolder(String zone) {
        return zoneDir(zone);
    }

    Optional<ZoneRecord> findRecord(String zone) {
        return find(zone);
    }

    QemuInstance instanceOf(ZoneRecord record, String id) {
        return instance(record, id);
    }

    /** The serial console of the zone's active instance. */
    public String console(String zone) {
        return active(zone).consoleText();
    }

    private void validateNew(ZoneSpec spec) {
        if (Files.exists(zoneDir(spec.name()).resolve("zone.json"))) {
            throw new ZoneAlreadyExistsException(spec.name());
        }
        if (!network.contains(spec.nic().address().address())) {
            throw new InvalidInputException(
                    "zone address "
                            + spec.nic().address()
                            + " is outside zone network "
                            + network.gateway()
                            + "; pick an address in that /24");
        }
        if (spec.nic().address().address().equals(network.gateway().address())) {
            throw new InvalidInputException(
                    "zone address " + spec.nic().address() + " is the network's gateway");
        }
        if (spec.boot() instanceof BootImage.Kernel k
                && (!Files.isRegularFile(k.kernel()) || !Files.isRegularFile(k.initrd()))) {
            throw new EnvironmentException(
                    "guest image missing: "
                            + k.kernel()
                            + " / "
                            + k.initrd()
                            + " (run bin/livezone setup)");
        }
        if (spec.boot() instanceof BootImage.Disk d && !Files.isRegularFile(d.image())) {
            throw new InvalidInputException("disk image " + d.image() + " does not exist");
        }
        for (String other : zoneNames()) {
            ZoneRecord r = load(other);
            if (r.address().split("/")[0].equals(spec.nic().address().addressText())) {
                throw new InvalidInputException(
                        "address "
                                + spec.nic().address().addressText()
                                + " is already used by zone '"
                                + other
                                + "'");
            }
            if (r.mac().equals(spec.nic().mac().value())) {
                throw new InvalidInputException(
                        "MAC " + spec.nic().mac() + " is already used by zone '" + other + "'");
            }
        }
        QemuBinary.path();
    }

    private static Path validateSuspendFile(Path file) {
        Path target = file.toAbsolutePath().normalize();
        checkShellSafe(target);
        if (Files.exists(target)) {
            throw new InvalidInputException(
                    "suspend file " + target + " already exists; choose another path");
        }
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw new InvalidInputException(
                    "folder " + target.getParent() + " for the suspend file does not exist");
        }
        return target;
    }

    /**
     * The path goes into QEMU's exec: URI, which a shell reads: allow only plain path characters.
     */
    private static void checkShellSafe(Path path) {
        if (!path.toString().matches("[A-Za-z0-9_./+-]+")) {
            throw new InvalidInputException(
                    "path " + path + " has characters other than letters, digits and _ . / + -");
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a partial image is useless but harmless
        }
    }

    @Override
    public List<String> zoneNames() {
        if (!Files.isDirectory(zonesDir)) {
            return List.of();
        }
        try (var dirs = Files.list(zonesDir)) {
            return dirs.filter(d -> Files.exists(d.resolve("zone.json")))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new LiveZoneException(e.getMessage());
        }
    }

    private QemuInstance active(String zone) {
        ZoneRecord record = load(zone);
        if (record.activeInstance() == null) {
            throw new InvalidInputException("zone '" + zone + "' is suspended; resume it first");
        }
        return instance(record, record.activeInstance());
    }

    private QemuInstance running(String zone) {
        QemuInstance i = active(zone);
        if (!i.isAlive()) {
            String why = i.errorOutput();
            throw new LiveZoneException(
                    "zone '"
                            + zone
                            + "' VM process is not running (crashed or killed"
                            + (why.isEmpty() ? "" : ": " + why)
                            + "); stop it to clean up. Console:\n"
                            + i.consoleTail());
        }
        return i;
    }

    private QemuInstance instance(ZoneRecord record, String id) {
        return QemuInstance.existing(
                record.name(), id, zoneDir(record.name()).resolve(id), network);
    }

    private Path zoneDir(String zone) {
        return zonesDir.resolve(ZoneSpec.validateName(zone));
    }

    private Optional<ZoneRecord> find(String zone) {
        Path file = zoneDir(zone).resolve("zone.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), ZoneRecord.class));
        } catch (IOException e) {
            throw new LiveZoneException("corrupt zone state " + file + ": " + e.getMessage());
        }
    }

    private ZoneRecord load(String zone) {
        return find(zone).orElseThrow(() -> new ZoneNotFoundException(zone));
    }

    private void save(ZoneRecord record) {
        Path file = zoneDir(record.name()).resolve("zone.json");
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("zone.json.tmp");
            // New content on the device before the rename, and the rename itself after it: a
            // power loss leaves either the old record or the new one, never an empty file.
            try (var out =
                    java.nio.channels.FileChannel.open(
                            tmp,
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.WRITE,
                            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(
                        java.nio.ByteBuffer.wrap(
                                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record)));
                out.force(true);
            }
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            try (var dir =
                    java.nio.channels.FileChannel.open(
                            file.getParent(), java.nio.file.StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new LiveZoneException("cannot save zone state " + file + ": " + e.getMessage());
        }
    }
}
