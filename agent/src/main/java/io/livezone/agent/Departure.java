package io.livezone.agent;

import io.livezone.core.InvalidInputException;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.SwitchoverGate;
import io.livezone.core.fault.Failpoints;
import io.livezone.core.http.ApiException;
import io.livezone.link.UnixToTcpForwarder;
import io.livezone.qemu.LiveMigration;
import io.livezone.qemu.PostcopyInterruptedException;
import io.livezone.qemu.ZoneDriver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * The source half of a move: a zone's migration out of this host, over a stream tunnel to the
 * destination agent. Its progress, cancel request and disk mirror are in the zone's {@link
 * ZoneSlot}, where the coordinator's progress and cancel calls find them.
 */
final class Departure {
    private static final Logger log = LoggerFactory.getLogger(Departure.class);

    /** A post-copy stream that moves nothing this long is paused, to be recovered. */
    static final Duration POSTCOPY_STALL = LiveMigration.DEFAULT_POSTCOPY_STALL;

    private final String host;
    private final ZoneDriver driver;
    private final StreamTunnels tunnels;
    private final ZoneDisks disks;
    private final Path socketDir;
    private final Function<String, ZoneSlot> slots;

    Departure(
            String host,
            ZoneDriver driver,
            StreamTunnels tunnels,
            ZoneDisks disks,
            Path socketDir,
            Function<String, ZoneSlot> slots) {
        this.host = host;
        this.driver = driver;
        this.tunnels = tunnels;
        this.disks = disks;
        this.socketDir = socketDir;
        this.slots = slots;
    }

    /**
     * Migrates the zone's running VM to the destination's ticket through a tunnel (with the
     * emulated link between the sites), its disk mirror, if any, finished in the switchover pause
     * and the players' traffic held at {@code gate} meanwhile. Returns once QEMU completed: the VM
     * here is stopped, kept until the move's release or rollback.
     */
    MigrationReport run(String zone, MigrateOutRequest request, SwitchoverGate gate) {
        if (request.ticket().zone() != null && !request.ticket().zone().equals(zone)) {
            throw new InvalidInputException(
                    "ticket is for zone '" + request.ticket().zone() + "', not '" + zone + "'");
        }
        ZoneSlot slot = slots.apply(zone);
        AttachedDisk disk = slot.disk();
        DepartingDisk mirror = slot.departing();
        if (disk != null && !disk.isRemote() && mirror == null) {
            throw ApiException.conflict(
                    "zone '"
                            + zone
                            + "' has a local disk: mirror it to the destination first"
                            + " (POST /v1/zones/"
                            + zone
                            + "/disk/mirror)");
        }
        if (mirror != null && !mirror.isReady()) {
            throw ApiException.conflict("the disk mirror of zone '" + zone + "' is not in sync");
        }
        Path socket = socketDir.resolve(zone + ".out");
        UnixToTcpForwarder tunnel = leave(zone, slot, socket, request);
        GatewayHold players =
                gate == null ? null : new GatewayHold(gate, zone, request.ticket().site());
        // The mirror ends in the switchover pause: the source is stopped for good, so the
        // destination's disk is exactly the one the zone stopped with.
        SwitchoverHook hook =
                z -> {
                    Failpoints.reach("agent.switchover"); // the source is paused here
                    if (mirror != null) {
                        mirror.finishAtSwitchover();
                    }
                    if (players != null) {
                        players.checkLimit();
                    }
                };
        try {
            MigrationReport report =
                    driver.migrateOut(
                            zone,
                            "unix:" + socket,
                            request.settings().toOptions(),
                            players == null ? SwitchoverHook.NONE : z -> players.hold(),
                            hook,
                            p -> {
                                slot.progress(p);
                                if (players != null) {
                                    players.onProgress(p);
                                }
                            },
                            slot::cancelRequested);
            if (players != null) {
                players.released();
            }
            log.info(
                    "zone {} stopped on {} for its switchover at {} µs (QMP STOP)",
                    zone,
                    host,
                    report.sourceStoppedAtMicros());
            // QEMU reports completion once it has written its last byte; over an emulated link
            // those bytes may still be on the wire: let them arrive before closing the tunnel.
            drain(tunnel, Duration.ofSeconds(60));
            if (mirror != null) {
                StorageTransfer moved = mirror.report(disks.dataBytes(zone, mirror));
                slot.departed(moved);
                log.info(
                        "zone {}: disk moved with it ({}, {} bytes of data, {} on the wire; the"
                                + " mirror finished in {} ms of the {} ms pause)",
                        zone,
                        moved.kind(),
                        moved.dataBytes(),
                        moved.wireBytes(),
                        report.switchoverHookMillis(),
                        report.pauseToResumeMillis() >= 0
                                ? report.pauseToResumeMillis()
                                : report.downtimeMillis());
            }
            return report;
        } catch (RuntimeException e) {
            if (players != null) {
                if (e instanceof PostcopyInterruptedException) {
                    players.released(); // the destination runs the zone; the source never again
                } else {
                    players.aborted();
                }
            }
            if (mirror != null) {
                slot.dropDeparting(mirror);
                mirror.close();
            }
            throw e;
        } finally {
            if (mirror != null && slot.dropDeparting(mirror)) {
                mirror.close();
            }
            slot.left();
            tunnel.close();
        }
    }

    /**
     * Resumes the zone's post-copy, paused here, to the destination's recovery ticket through a new
     * tunnel; returns once it completed. A failure leaves it paused for another try.
     */
    MigrationReport resume(String zone, MigrateOutRequest request) {
        ZoneSlot slot = slots.apply(zone);
        Path socket = socketDir.resolve(zone + ".resume");
        UnixToTcpForwarder tunnel = leave(zone, slot, socket, request);
        try {
            log.info("zone {}: resuming its paused post-copy from {}", zone, host);
            MigrationReport report =
                    driver.resumePostcopyOut(
                            zone, "unix:" + socket, slot::progress, POSTCOPY_STALL);
            drain(tunnel, Duration.ofSeconds(60));
            log.info("zone {}: post-copy recovered and completed from {}", zone, host);
            return report;
        } finally {
            slot.left();
            tunnel.close();
        }
    }

    /**
     * Marks the zone leaving and opens the tunnel its stream takes to the destination's ticket
     * (with the emulated link); the caller ends with {@code slot.left()} and closes the tunnel.
     */
    private UnixToTcpForwarder leave(
            String zone, ZoneSlot slot, Path socket, MigrateOutRequest request) {
        if (!slot.startLeaving()) {
            throw ApiException.conflict(
                    "zone '" + zone + "' is already migrating out of " + host + ", or busy");
        }
        try {
            return tunnels.connectFrom(
                    socket,
                    request.ticket().address(),
                    request.ticket().port(),
                    request.ticket().site(),
                    request.link());
        } catch (RuntimeException e) {
            slot.left();
            throw e;
        }
    }

    private static void drain(UnixToTcpForwarder tunnel, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tunnel.stats().connectionsOpen() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
