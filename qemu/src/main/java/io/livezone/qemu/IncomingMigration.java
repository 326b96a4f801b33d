package io.livezone.qemu;

import io.livezone.core.LiveZoneException;
import io.livezone.qemu.qmp.EventWaiter;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpEvent;
import io.livezone.qemu.qmp.Subscription;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A destination VM receiving its migration stream. It is started paused ({@code -S}) and stays
 * paused when the stream is complete: it runs only when the coordinator's commit arrives (or, with
 * post-copy, when post-copy begins — then the destination must run to pull its missing pages, and
 * the move is past its point of no return). So a destination whose move fails before the commit
 * never executed guest code, and the source may safely resume once it is gone.
 *
 * <p>It keeps the QMP connection open from the moment the VM listens, so neither the "completed"
 * status nor the RESUME event can be missed.
 */
public final class IncomingMigration implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IncomingMigration.class);

    private final String zone;
    private final QmpClient qmp;
    private final EventWaiter resumed;
    private final Subscription statuses;
    private final CompletableFuture<Void> arrived = new CompletableFuture<>();
    private final Runnable beforeRunning;
    private volatile boolean running;

    /**
     * @param beforeRunning persists that the VM is about to run (it may hold the zone's only
     *     current state from then on); called once, before the first {@code cont}
     */
    IncomingMigration(String zone, QmpClient qmp, EventWaiter resumed, Runnable beforeRunning) {
        this.zone = zone;
        this.qmp = qmp;
        this.resumed = resumed;
        this.beforeRunning = beforeRunning;
        this.statuses = qmp.addEventListener(this::onEvent);
    }

    public String zone() {
        return zone;
    }

    /** True once the stream is complete: the VM holds the zone's whole state, paused. */
    public boolean arrived() {
        return arrived.isDone() && !arrived.isCompletedExceptionally();
    }

    /** True once this VM was continued: it may have executed guest code. */
    public boolean everRan() {
        return running;
    }

    private void onEvent(QmpEvent e) {
        if (!e.name().equals("MIGRATION")) {
            return;
        }
        switch (e.data().path("status").asText()) {
            case "completed" -> arrived.complete(null);
            case "failed", "cancelled" ->
                    arrived.completeExceptionally(
                            new LiveZoneException(
                                    "the incoming migration of zone '"
                                            + zone
                                            + "' ended "
                                            + e.data().path("status").asText()));
            case "postcopy-active" ->
                    // The source has stopped and sends the rest on demand: the destination must
                    // run now. Listeners run on the QMP reader thread, which must not issue
                    // commands.
                    Thread.ofVirtual().name("postcopy-run-" + zone).start(this::runForPostcopy);
            default -> {}
        }
    }

    private void runForPostcopy() {
        try {
            run();
            log.info("zone {}: post-copy began; the destination runs and pulls its pages", zone);
        } catch (RuntimeException e) {
            log.error("zone {}: could not run the destination for post-copy", zone, e);
        }
    }

    /** Waits until the stream is complete; throws if it failed or did not end in time. */
    void awaitArrival(Duration timeout) {
        try {
            arrived.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new LiveZoneException(
                    "zone '"
                            + zone
                            + "' has not arrived: its migration stream did not complete within "
                            + timeout.toSeconds()
                            + " s");
        } catch (ExecutionException e) {
            throw new LiveZoneException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LiveZoneException("interrupted while zone '" + zone + "' arrived");
        }
    }

    /** Continues the VM (once); the caller then awaits {@link #awaitResume}. */
    synchronized void run() {
        if (running) {
            return;
        }
        beforeRunning.run();
        running = true;
        qmp.execute("cont");
    }

    QmpEvent awaitResume(Duration timeout) {
        return resumed.await(timeout);
    }

    /** QEMU's run state, asked on the connection this object holds. */
    String runState() {
        return qmp.execute("query-status").path("status").asText();
    }

    @Override
    public void close() {
        try {
            statuses.close();
        } catch (RuntimeException e) {
            // the connection is already gone
        }
        resumed.close();
        qmp.close();
    }
}
