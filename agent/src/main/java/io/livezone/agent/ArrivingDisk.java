package io.livezone.agent;

import io.livezone.core.LiveZoneException;
import io.livezone.core.cluster.DiskTicket;
import io.livezone.link.TcpToUnixForwarder;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpEvent;
import io.livezone.qemu.qmp.Subscription;
import io.livezone.storage.EmbeddedNbdServer;
import io.livezone.storage.NbdExport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The destination side of a disk that moves with its zone: the arriving VM (started paused, {@code
 * -S}) exports its disk over NBD for the source's mirror, and the export is relayed from a TCP
 * port. When the migration completes the export must go before the guest runs (else the device
 * would share write access with the export), so on QEMU's "completed" event this host removes the
 * export at once; the VM stays paused until the move's commit continues it.
 */
final class ArrivingDisk implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ArrivingDisk.class);

    private final String zone;
    private final QmpClient qmp;
    private final EmbeddedNbdServer server;
    private final NbdExport export;
    private final TcpToUnixForwarder listener;
    private final DiskTicket ticket;
    private final Subscription subscription;
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    private ArrivingDisk(
            String zone,
            QmpClient qmp,
            EmbeddedNbdServer server,
            NbdExport export,
            TcpToUnixForwarder listener,
            DiskTicket ticket) {
        this.zone = zone;
        this.qmp = qmp;
        this.server = server;
        this.export = export;
        this.listener = listener;
        this.ticket = ticket;
        this.subscription = qmp.addEventListener(this::onEvent);
    }

    /** Exports the arriving VM's disk and relays the export from a TCP port on {@code address}. */
    static ArrivingDisk open(
            AttachedDisk disk,
            Path storageMonitor,
            Path nbdSocket,
            StreamTunnels tunnels,
            InetAddress address,
            String site) {
        QmpClient qmp = QmpClient.connect(storageMonitor, Duration.ofSeconds(20));
        EmbeddedNbdServer server = null;
        NbdExport export = null;
        TcpToUnixForwarder listener = null;
        try {
            server = EmbeddedNbdServer.start(qmp, nbdSocket);
            export = server.export(disk.disk());
            listener = tunnels.acceptInto(address, nbdSocket);
            DiskTicket ticket =
                    new DiskTicket(
                            disk.zone(),
                            site,
                            address.getHostAddress(),
                            listener.port(),
                            export.endpoint().exportName(),
                            disk.sync());
            return new ArrivingDisk(disk.zone(), qmp, server, export, listener, ticket);
        } catch (RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            if (server != null) {
                server.close();
            }
            qmp.close();
            throw e;
        }
    }

    DiskTicket ticket() {
        return ticket;
    }

    private void onEvent(QmpEvent e) {
        if (e.name().equals("MIGRATION")
                && e.data().path("status").asText().equals("completed")
                && !started.isDone()) {
            // Event listeners run on the QMP reader thread, which must not issue commands.
            Thread.ofVirtual().name("handover-" + zone).start(this::handOver);
        }
    }

    /** Drops the export: the arrived VM may then run, once the move commits. */
    private void handOver() {
        long t0 = System.nanoTime();
        try {
            export.close();
            server.close();
            listener.close();
            started.complete(null);
            log.info(
                    "zone {}: disk export removed ({} ms after completion)",
                    zone,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            log.warn("zone {}: could not remove the disk export: {}", zone, e.getMessage());
            started.completeExceptionally(e);
        }
    }

    /** Waits until the export was removed after the migration completed. */
    void awaitHandedOver(Duration timeout) {
        try {
            started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new LiveZoneException(
                    "zone '"
                            + zone
                            + "' did not complete its migration within "
                            + timeout.toSeconds()
                            + " s, so its disk export was not removed");
        } catch (ExecutionException e) {
            throw new LiveZoneException(
                    "zone '"
                            + zone
                            + "': its disk export could not be removed: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LiveZoneException("interrupted while zone '" + zone + "' arrived");
        }
    }

    @Override
    public void close() {
        subscription.close();
        if (!started.isDone()) {
            listener.close();
            server.close();
        }
        qmp.close();
    }
}
