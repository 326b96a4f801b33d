package io.livezone.qemu;

import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.qemu.qmp.EventWaiter;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpEvent;
import io.livezone.qemu.qmp.QmpException;
import io.livezone.qemu.qmp.Subscription;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
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
 * status nor the RESUME event can be missed. QEMU serves one monitor client at a time, so while
 * this object is open every question to the arriving VM goes through it ({@link #postcopyState},
 * {@link #recover}).
 *
 * <p>Post-copy: once it began, this VM may hold the zone's only running state and must never be
 * discarded. If the stream breaks, QEMU pauses the post-copy here ({@code postcopy-paused}; the
 * vCPUs keep running until they touch a page that has not arrived). Recovery, in this order:
 *
 * <ol>
 *   <li>{@link #recover} here: makes QEMU listen on a new address (and first pauses a post-copy
 *       that still waits on a dead link);
 *   <li>{@link LiveMigration#resumePostcopy} at the source, to that address;
 *   <li>{@link #awaitArrival} (or the driver's commit) completes as after any migration.
 * </ol>
 *
 * Keep this object open until the move is committed or declared lost: closing it does not stop the
 * migration, but a recovery needs its monitor.
 */
public final class IncomingMigration implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IncomingMigration.class);

    /** How long a look at the post-copy state may wait for the main loop before events decide. */
    private static final Duration QUICK_LOOK = Duration.ofSeconds(3);

    private final String zone;
    private final QmpClient qmp;
    private final EventWaiter resumed;
    private final Subscription statuses;
    private final CompletableFuture<Void> arrived = new CompletableFuture<>();
    private final Runnable beforeRunning;
    private volatile boolean running;
    private volatile String lastStatus = "none";

    /** Re-attached after it ran: its RESUME came before this watcher. */
    private volatile boolean resumedBefore;

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
        lastStatus = e.data().path("status").asText();
        switch (lastStatus) {
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
            case "postcopy-paused" ->
                    log.warn(
                            "zone {}: post-copy paused at the destination (its stream broke); the"
                                    + " VM keeps what it has and waits for a recovery",
                            zone);
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

    /**
     * Waits until the stream is complete; throws if it failed or did not end in time.
     *
     * @throws PostcopyInterruptedException when the post-copy is paused here ({@link
     *     PostcopyInterruptedException.Outcome#PAUSED}: recover, then wait again) or this VM's QEMU
     *     ended after it ran ({@link PostcopyInterruptedException.Outcome#ZONE_AT_RISK})
     */
    void awaitArrival(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new LiveZoneException(
                            "zone '"
                                    + zone
                                    + "' has not arrived: its migration stream did not complete"
                                    + " within "
                                    + timeout.toSeconds()
                                    + " s");
                }
                try {
                    arrived.get(Math.min(left, 200_000_000L), TimeUnit.NANOSECONDS);
                    return;
                } catch (TimeoutException e) {
                    checkPostcopy();
                }
            }
        } catch (ExecutionException e) {
            throw new LiveZoneException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LiveZoneException("interrupted while zone '" + zone + "' arrived");
        }
    }

    /** While waiting for the stream: a paused post-copy, or a QEMU gone after it ran, ends it. */
    private void checkPostcopy() {
        if (running && !qmp.isConnected()) {
            throw PostcopyInterruptedException.zoneAtRisk(
                    zone,
                    lastStatus,
                    "the destination's QEMU is gone after it ran, and with it the running zone",
                    null);
        }
        if (lastStatus.equals("postcopy-paused")) {
            throw PostcopyInterruptedException.paused(zone, "the destination's stream broke");
        }
    }

    /**
     * Where this VM stands in post-copy as its last MIGRATION event said, without asking: a
     * post-copy destination's main loop may be blocked on a missing page, and then a monitor
     * command waits for as long as the pages do.
     */
    public PostcopyState lastKnownPostcopyState() {
        return qmp.isConnected() ? PostcopyState.of(lastStatus) : PostcopyState.GONE;
    }

    /**
     * Where this VM stands in post-copy, asked over the monitor this object holds; {@link
     * PostcopyState#GONE} once the VM's QEMU ended (or this object was closed).
     */
    public PostcopyState postcopyState() {
        return postcopyState(QmpClient.DEFAULT_TIMEOUT);
    }

    private PostcopyState postcopyState(Duration wait) {
        try {
            return PostcopyState.of(
                    qmp.execute("query-migrate", null, wait).path("status").asText("none"));
        } catch (QmpException e) {
            return qmp.isConnected() ? PostcopyState.of(lastStatus) : PostcopyState.GONE;
        }
    }

    /**
     * Destination half of a post-copy recovery: makes this VM listen for the source again on {@code
     * listenUri} ({@code unix:/path}, or {@code tcp:host:port} with a fixed port) and returns the
     * address the source must resume to ({@link LiveMigration#resumePostcopy}, through whatever
     * carries the stream). Call it when the source reports {@code postcopy-paused}.
     *
     * <p>If this side still reports {@code postcopy-active} — a link that drops packets leaves its
     * socket waiting, not broken — the post-copy is paused here first ({@code migrate-pause}), and
     * this waits up to {@code timeout} for QEMU to say {@code postcopy-paused}. It may be called
     * again with another address while the source has not connected. The VM is never stopped or
     * discarded here.
     *
     * @throws PostcopyInterruptedException {@link
     *     PostcopyInterruptedException.Outcome#ZONE_AT_RISK} if this VM's QEMU is gone (the zone's
     *     running state went with it)
     * @throws LiveZoneException if this VM is not in a post-copy that can be recovered (e.g. it
     *     completed, or a recovery is already connected), or QEMU refused the address
     */
    public String recover(String listenUri, Duration timeout) {
        if (!listenUri.startsWith("unix:")
                && !(listenUri.startsWith("tcp:") && !listenUri.endsWith(":0"))) {
            throw new InvalidInputException(
                    "recovery address must be unix:/path or tcp:host:port with a fixed port, got "
                            + listenUri);
        }
        // Asked briefly: the main loop that answers query-migrate may be blocked on a page that
        // cannot arrive, and then the last MIGRATION event is the best knowledge there is.
        PostcopyState state = postcopyState(QUICK_LOOK);
        if (state == PostcopyState.GONE) {
            throw PostcopyInterruptedException.zoneAtRisk(
                    zone,
                    lastStatus,
                    "the destination's QEMU is gone, and with it the running zone",
                    null);
        }
        if (state == PostcopyState.ACTIVE) {
            log.info(
                    "zone {}: post-copy still active at the destination: pausing it"
                            + " (migrate-pause) before the recovery",
                    zone);
            qmp.executeOob("migrate-pause", null, QmpClient.DEFAULT_TIMEOUT);
            state = awaitPostcopyState(PostcopyState.PAUSED, timeout);
        }
        if (state != PostcopyState.PAUSED) {
            throw new LiveZoneException(
                    "zone '"
                            + zone
                            + "' cannot be recovered at its destination: its post-copy is "
                            + state
                            + " (QEMU: "
                            + lastStatus
                            + "), not paused");
        }
        qmp.executeOob("migrate-recover", Map.of("uri", listenUri), QmpClient.DEFAULT_TIMEOUT);
        log.info("zone {}: destination listens for the resumed post-copy on {}", zone, listenUri);
        return listenUri;
    }

    private PostcopyState awaitPostcopyState(PostcopyState wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PostcopyState state = postcopyState(QUICK_LOOK);
        while (state != wanted && state != PostcopyState.GONE && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LiveZoneException("interrupted while zone '" + zone + "' paused");
            }
            state = postcopyState(QUICK_LOOK);
        }
        return state;
    }

    /**
     * Its stream completed before this object watched it (a destination re-attached after an agent
     * restart, paused and never run): its commit may continue it.
     */
    void arrivedBefore() {
        lastStatus = "completed";
        arrived.complete(null);
    }

    /** This VM ran before this object watched it (a post-copy destination re-attached). */
    synchronized void ranBefore() {
        running = true;
        resumedBefore = true;
    }

    /** Continues the VM (once); the caller then awaits {@link #awaitResume}. */
    synchronized void run() {
        if (running) {
            return;
        }
        if (!qmp.isConnected()) {
            // Its QEMU is gone before it was ever continued: it never ran, and must not be
            // recorded as having run (that would turn a safe rollback into a zone at risk).
            throw new LiveZoneException(
                    "the arriving VM of zone '" + zone + "' is gone before it ran");
        }
        beforeRunning.run();
        running = true;
        qmp.execute("cont");
    }

    QmpEvent awaitResume(Duration timeout) {
        if (resumedBefore) {
            // Its RESUME came before this watcher: nothing to wait for.
            return new QmpEvent(
                    "RESUME",
                    com.fasterxml.jackson.databind.node.NullNode.getInstance(),
                    java.time.Instant.now(),
                    System.nanoTime());
        }
        return resumed.await(timeout);
    }

    /** QEMU's run state ({@code running}, {@code inmigrate}, …), asked on this object's monitor. */
    public String runState() {
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
