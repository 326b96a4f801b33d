package io.livezone.agent;

import io.livezone.core.LiveZoneException;
import io.livezone.core.MigrationProgress;
import io.livezone.core.cluster.DiskMirrorRequest;
import io.livezone.core.cluster.DiskTicket;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.link.UnixToTcpForwarder;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.storage.DiskMirror;
import io.livezone.storage.MirrorOptions;
import io.livezone.storage.MirrorProgress;
import io.livezone.storage.NbdEndpoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The source side of a disk that moves with its zone: a mirror of the zone's disk into the
 * destination's export, through a tunnel to the destination host (and the emulated link between
 * their sites). Started before the memory migration, it keeps the copy in sync while the zone runs
 * and is finished in the migration's switchover pause, so the destination's disk is exactly the
 * source's at the moment the source stopped.
 */
final class DepartingDisk implements AutoCloseable {
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(60);
    private static final long POLL_MILLIS = 250;

    /**
     * The guest's writes are small (a record is 4 KiB): with the default 64 KiB granule each one
     * would send 64 KiB again while the mirror keeps the copy in sync.
     */
    private static final long GRANULARITY = 4096;

    private final String zone;
    private final AttachedDisk disk;
    private final DiskTicket.Sync sync;
    private final QmpClient qmp;
    private final UnixToTcpForwarder tunnel;
    private final DiskMirror mirror;
    private final long startedNanos = System.nanoTime();

    private DepartingDisk(
            String zone,
            AttachedDisk disk,
            DiskTicket.Sync sync,
            QmpClient qmp,
            UnixToTcpForwarder tunnel,
            DiskMirror mirror) {
        this.zone = zone;
        this.disk = disk;
        this.sync = sync;
        this.qmp = qmp;
        this.tunnel = tunnel;
        this.mirror = mirror;
    }

    static DepartingDisk start(
            AttachedDisk disk,
            Path storageMonitor,
            Path socket,
            StreamTunnels tunnels,
            DiskMirrorRequest request) {
        DiskTicket ticket = request.ticket();
        QmpClient qmp = QmpClient.connect(storageMonitor, Duration.ofSeconds(20));
        UnixToTcpForwarder tunnel = null;
        try {
            tunnel =
                    tunnels.connectFrom(
                            socket, ticket.address(), ticket.port(), ticket.site(), request.link());
            MirrorOptions options =
                    (ticket.sync() == DiskTicket.Sync.TOP
                                    ? MirrorOptions.top()
                                    : MirrorOptions.full())
                            .withBytesPerSecond(request.bytesPerSec())
                            .withGranularity(GRANULARITY);
            DiskMirror mirror =
                    DiskMirror.start(
                            qmp, disk.disk(), new NbdEndpoint(socket, ticket.export()), options);
            return new DepartingDisk(disk.zone(), disk, ticket.sync(), qmp, tunnel, mirror);
        } catch (RuntimeException e) {
            if (tunnel != null) {
                tunnel.close();
            }
            qmp.close();
            throw e;
        }
    }

    AttachedDisk disk() {
        return disk;
    }

    DiskTicket.Sync sync() {
        return sync;
    }

    boolean isReady() {
        return mirror.isReady();
    }

    /**
     * Waits until the copy is in sync, publishing progress; aborts the mirror (and throws) if
     * {@code cancelled} turns true, the job fails or {@code timeout} passes.
     */
    StorageTransfer awaitReady(
            Duration timeout, BooleanSupplier cancelled, Consumer<MigrationProgress> progress) {
        Thread watcher =
                Thread.ofVirtual()
                        .name("mirror-watch-" + zone)
                        .start(
                                () -> {
                                    try {
                                        while (!mirror.isReady()) {
                                            if (cancelled.getAsBoolean()) {
                                                mirror.abort();
                                                return;
                                            }
                                            progress.accept(progress(mirror.progress()));
                                            Thread.sleep(POLL_MILLIS);
                                        }
                                    } catch (InterruptedException e) {
                                        // the wait ended
                                    } catch (RuntimeException e) {
                                        // the job ended; awaitReady reports why
                                    }
                                });
        try {
            MirrorProgress ready = mirror.awaitReady(timeout);
            progress.accept(progress(ready));
            return report(ready.length());
        } catch (RuntimeException e) {
            if (cancelled.getAsBoolean()) {
                throw new LiveZoneException(
                        "disk mirror of zone '" + zone + "' cancelled; the zone keeps its disk");
            }
            throw e;
        } finally {
            watcher.interrupt();
        }
    }

    /** In the switchover pause: ends the mirror with the destination an exact copy. */
    void finishAtSwitchover() {
        mirror.finishWithoutPivot(FINISH_TIMEOUT);
    }

    /** What crossed the wire so far, and {@code dataBytes} as the data that had to move. */
    StorageTransfer report(long dataBytes) {
        var s = tunnel.stats();
        return new StorageTransfer(
                sync == DiskTicket.Sync.TOP ? "mirror-top" : "mirror-full",
                s.bytesOutbound() + s.bytesInbound(),
                dataBytes,
                (System.nanoTime() - startedNanos) / 1_000_000);
    }

    /** Stops the mirror; the zone keeps its disk. Idempotent. */
    void abort() {
        mirror.abort();
    }

    private MigrationProgress progress(MirrorProgress p) {
        long elapsed = (System.nanoTime() - startedNanos) / 1_000_000;
        double mbps = elapsed > 0 ? p.offset() * 8 / 1e3 / elapsed : 0;
        return new MigrationProgress(
                zone,
                "disk-mirror",
                elapsed,
                p.offset(),
                Math.max(0, p.length() - p.offset()),
                p.length(),
                0,
                mbps,
                0);
    }

    /** Aborts the mirror unless it finished, and closes the tunnel and the QMP connection. */
    @Override
    public void close() {
        mirror.close();
        tunnel.close();
        qmp.close();
    }
}
