package io.livezone.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.MemorySize;
import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationListener;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;
import io.livezone.qemu.qmp.EventWaiter;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpCommandException;
import io.livezone.qemu.qmp.QmpConnectionClosedException;
import io.livezone.qemu.qmp.QmpEvent;
import io.livezone.qemu.qmp.QmpException;
import io.livezone.qemu.qmp.Subscription;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One pre-copy live migration (with optional switch to post-copy) between two QEMU instances,
 * driven over QMP. The destination must have been started with {@code -incoming defer}. On any
 * failure before the switchover the migration is cancelled and the source is left running; the
 * destination is the caller's to discard.
 *
 * <p>Post-copy is the point of no return (see {@link PostcopyState}): from the moment this class
 * asks for it ({@code migrate-start-postcopy}) or QEMU reports a {@code postcopy-*} status, no
 * cancel, timeout or failure resumes the source, and everything this class throws is a {@link
 * PostcopyInterruptedException}. A post-copy stream that moves no byte for {@link
 * #pauseStalledPostcopyAfter} is paused on purpose ({@code migrate-pause}), so that QEMU reports
 * {@code postcopy-paused} at once instead of waiting out TCP's retransmission timeout on a dead
 * link; a paused post-copy is continued with {@link #resumePostcopy}.
 */
public final class LiveMigration {
    private static final Logger log = LoggerFactory.getLogger(LiveMigration.class);
    private static final Duration POLL = Duration.ofMillis(100);

    /** Default for {@link #pauseStalledPostcopyAfter}. */
    public static final Duration DEFAULT_POSTCOPY_STALL = Duration.ofSeconds(15);

    /** How long QEMU may take to report {@code postcopy-paused} after {@code migrate-pause}. */
    private static final Duration PAUSE_CONFIRMATION = Duration.ofSeconds(10);

    /** "Unlimited" bandwidth: QEMU's default cap is 128 MiB/s, far below what loopback carries. */
    private static final long UNLIMITED = 1L << 40;

    private final String zone;
    private final QmpClient source;
    private final QmpClient destination;
    private final MemorySize guestMemory;
    private final MigrationOptions options;
    private final SwitchoverHook hook;
    private final MigrationListener listener;
    private volatile BooleanSupplier cancelled = () -> false;
    private volatile Duration postcopyStall = DEFAULT_POSTCOPY_STALL;
    private volatile boolean postcopyBegan;

    public LiveMigration(
            String zone,
            QmpClient source,
            QmpClient destination,
            MemorySize guestMemory,
            MigrationOptions options,
            SwitchoverHook hook,
            MigrationListener listener) {
        this.zone = zone;
        this.source = source;
        this.destination = destination;
        this.guestMemory = guestMemory;
        this.options = options;
        this.hook = hook;
        this.listener = listener;
    }

    /**
     * Lets another thread cancel the migration: checked while pre-copy runs; once post-copy has
     * started the destination owns the zone and the migration can only finish.
     */
    public LiveMigration cancelWhen(BooleanSupplier condition) {
        this.cancelled = condition;
        return this;
    }

    /**
     * A post-copy stream whose sent-byte count does not grow for {@code timeout} is paused with
     * {@code migrate-pause}: the source then reports {@code postcopy-paused} and this migration
     * ends with a recoverable {@link PostcopyInterruptedException}. Default {@link
     * #DEFAULT_POSTCOPY_STALL}.
     */
    public LiveMigration pauseStalledPostcopyAfter(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive, got " + timeout);
        }
        this.postcopyStall = timeout;
        return this;
    }

    /**
     * True once the migration passed the point of no return: post-copy was requested or QEMU
     * reported a {@code postcopy-*} status. From then on the caller must neither resume the source
     * nor discard the destination, whatever this migration throws.
     */
    public boolean postcopyBegan() {
        return postcopyBegan;
    }

    /**
     * Runs the migration to completion. {@code listenHost} is the destination address the source
     * connects to (127.0.0.1 when both instances share a network namespace); the instance names
     * only label the report.
     */
    public MigrationReport run(String listenHost, String fromInstance, String toInstance) {
        String uri = prepareIncoming(destination, options, "tcp:" + listenHost + ":0");
        return migrate(
                uri,
                destination.expectEvent(QmpEvent.named("RESUME")),
                fromInstance,
                toInstance,
                false);
    }

    /**
     * Runs the migration to a destination that another process prepared with {@link
     * #prepareIncoming} (a host agent on another server); only the source is driven here, so the
     * report has no destination resume time.
     */
    public MigrationReport runTo(String uri, String fromInstance, String toInstance) {
        return migrate(uri, null, fromInstance, toInstance, false);
    }

    /**
     * Continues a paused post-copy (the source's status is {@code postcopy-paused}) into a
     * destination that listens again: {@link IncomingMigration#recover} returned the address, and
     * {@code uri} must reach it (directly, or through a tunnel to it). Waits, with the same stall
     * watch as {@link #runTo}, until the migration completes; then the source VM is stopped for
     * good and may be released once the destination is committed.
     *
     * <p>Uses this object's source monitor, options and listener; the switchover hook is not called
     * (the switchover happened before post-copy). Nothing here resumes the source.
     *
     * @return the migration's report (QEMU's totals over the whole migration, {@code postcopyUsed}
     *     true, no stop time)
     * @throws PostcopyInterruptedException {@link PostcopyInterruptedException.Outcome#PAUSED} if
     *     the new stream broke or stalled too (or could not be opened: QEMU pauses again), and the
     *     recovery may be tried again; {@link PostcopyInterruptedException.Outcome#ZONE_AT_RISK} if
     *     the source's QEMU is gone or failed the migration
     * @throws io.livezone.core.InvalidInputException if the source's migration is not paused
     */
    public MigrationReport resumePostcopy(String uri, String fromInstance, String toInstance) {
        String status = source.execute("query-migrate").path("status").asText("none");
        if (PostcopyState.of(status) != PostcopyState.PAUSED) {
            throw new io.livezone.core.InvalidInputException(
                    "zone '"
                            + zone
                            + "' has no paused post-copy to resume: its source's migration is "
                            + status);
        }
        postcopyBegan = true;
        return migrate(uri, null, fromInstance, toInstance, true);
    }

    /**
     * Makes a destination started with {@code -incoming defer} listen on {@code listenUri} ({@code
     * tcp:host:0} or {@code unix:/path}) with the capabilities the source will use; returns the URI
     * the source must connect to (for TCP port 0, the port QEMU picked).
     */
    public static String prepareIncoming(
            QmpClient destination, MigrationOptions options, String listenUri) {
        setCapabilities(destination, destinationCapabilities(options));
        if (options.multifdChannels() > 0) {
            destination.execute(
                    "migrate-set-parameters",
                    Map.of(
                            "multifd-channels", options.multifdChannels(),
                            "multifd-compression", options.multifdCompression()));
        }
        destination.execute("migrate-incoming", Map.of("uri", listenUri));
        if (listenUri.startsWith("unix:")) {
            return listenUri;
        }
        String host = listenUri.substring("tcp:".length(), listenUri.lastIndexOf(':'));
        JsonNode addresses = destination.execute("query-migrate").path("socket-address");
        for (JsonNode a : addresses) {
            if (a.path("type").asText().equals("inet")) {
                return "tcp:" + host + ":" + a.path("port").asText();
            }
        }
        throw new QmpException("destination did not report its migration listening port");
    }

    private MigrationReport migrate(
            String uri,
            EventWaiter resumed,
            String fromInstance,
            String toInstance,
            boolean resume) {
        BlockingQueue<String> sourceStates = new LinkedBlockingQueue<>();
        AtomicReference<QmpEvent> sourceStop = new AtomicReference<>();
        List<Subscription> subscriptions = new ArrayList<>();
        boolean postcopyUsed = resume;
        long hookMillis = 0;
        long start = System.nanoTime();
        String status = resume ? "postcopy-paused" : "setup";
        PostcopyStallWatch stall = new PostcopyStallWatch(postcopyStall);
        long pauseRequestedAt = 0;
        try {
            if (!resume) {
                prepareSource();
            }
            subscriptions.add(
                    source.addEventListener(
                            e -> {
                                switch (e.name()) {
                                    case "MIGRATION" ->
                                            sourceStates.add(e.data().path("status").asText());
                                    case "STOP" -> sourceStop.compareAndSet(null, e);
                                    default -> {}
                                }
                            }));
            start = System.nanoTime();
            if (resume) {
                log.info("zone {}: resuming the paused post-copy into {}", zone, uri);
                try {
                    source.execute("migrate", Map.of("uri", uri, "resume", true));
                } catch (QmpCommandException e) {
                    throw PostcopyInterruptedException.paused(
                            zone, "QEMU refused to resume it: " + e.getMessage());
                }
            } else {
                source.execute("migrate", Map.of("uri", uri));
            }

            long completionDeadline = start + options.completionTimeout(guestMemory).toNanos();
            long lastProgressAt = start;
            long lowestRemaining = Long.MAX_VALUE;
            long nextPoll = 0;
            boolean resumeStarted = !resume;
            boolean postcopyReported = resume;
            while (!status.equals("completed")) {
                String next = sourceStates.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                if (next != null) {
                    status = next;
                    log.debug("zone {} migration status {}", zone, status);
                    if (PostcopyState.of(status).inPostcopy()) {
                        postcopyBegan = true;
                        postcopyReported = true;
                    }
                    if (!status.equals("postcopy-paused")) {
                        // A resumed migration starts from the paused state: only a pause
                        // reported after it left that state is a new pause.
                        resumeStarted = true;
                    }
                }
                switch (status) {
                    case "pre-switchover" -> {
                        long h = System.nanoTime();
                        try {
                            hook.atSwitchover(zone);
                        } catch (Exception e) {
                            if (postcopyReported) {
                                throw PostcopyInterruptedException.zoneAtRisk(
                                        zone, status, "switchover hook failed", e);
                            }
                            // QEMU pauses before the switchover to post-copy too, but before it
                            // sends the destination anything it could run: still safe to cancel.
                            postcopyBegan = false;
                            throw abort("switchover hook failed: " + e.getMessage(), e);
                        }
                        hookMillis = (System.nanoTime() - h) / 1_000_000;
                        source.execute("migrate-continue", Map.of("state", "pre-switchover"));
                        status = "device";
                    }
                    case "postcopy-active" -> postcopyUsed = true;
                    case "postcopy-paused" -> {
                        if (resumeStarted) {
                            throw pausedOrAtRisk(pauseRequestedAt != 0);
                        }
                    }
                    case "failed", "cancelled" -> {
                        String reason =
                                "QEMU reports the migration " + status + ": " + errorDescription();
                        if (postcopyBegan) {
                            throw PostcopyInterruptedException.zoneAtRisk(
                                    zone, status, reason, null);
                        }
                        throw abort(reason, null);
                    }
                    default -> {}
                }
                long now = System.nanoTime();
                if (now >= nextPoll && !status.equals("completed")) {
                    nextPoll = now + Duration.ofMillis(250).toNanos();
                    MigrationProgress p = progress(source.execute("query-migrate"), now - start);
                    listener.onProgress(p);
                    if (p.remainingBytes() < lowestRemaining) {
                        lowestRemaining = p.remainingBytes();
                        lastProgressAt = now;
                    }
                    if (PostcopyState.of(p.status()).inPostcopy()) {
                        postcopyBegan = true;
                    }
                    if (postcopyBegan) {
                        if (resumeStarted && p.status().equals("postcopy-paused")) {
                            throw pausedOrAtRisk(pauseRequestedAt != 0);
                        }
                        pauseRequestedAt = watchPostcopy(p, stall, now, pauseRequestedAt);
                    } else if (cancelled.getAsBoolean()) {
                        throw abort("cancelled", null);
                    } else if (options.postcopy()
                            && p.status().equals("active")
                            && now - start > options.postcopyAfter().toNanos()) {
                        log.info(
                                "zone {}: pre-copy has not converged after {} s, switching to"
                                        + " post-copy",
                                zone,
                                options.postcopyAfter().toSeconds());
                        source.execute("migrate-start-postcopy");
                        // From here on the destination may run at any moment: conservatively
                        // past the point of no return, whatever QEMU reports next.
                        postcopyBegan = true;
                        postcopyUsed = true;
                    } else if (now > completionDeadline) {
                        throw abort(
                                "did not complete within "
                                        + options.completionTimeout(guestMemory).toSeconds()
                                        + " s ("
                                        + options.completionTimeoutPerGiB().toSeconds()
                                        + " s per GiB)",
                                null);
                    } else if (now - lastProgressAt > options.progressTimeout().toNanos()) {
                        throw abort(
                                "made no progress for "
                                        + options.progressTimeout().toSeconds()
                                        + " s",
                                null);
                    }
                }
            }
            JsonNode info = finalStatistics();
            QmpEvent destinationResume =
                    resumed == null ? null : resumed.await(Duration.ofSeconds(30));
            long wall = (System.nanoTime() - start) / 1_000_000;
            listener.onProgress(progress(info, System.nanoTime() - start));
            return report(
                    fromInstance,
                    toInstance,
                    info,
                    wall,
                    sourceStop.get(),
                    destinationResume,
                    hookMillis,
                    postcopyUsed);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (postcopyBegan) {
                throw PostcopyInterruptedException.unwatched(zone, status, "interrupted", e);
            }
            throw abort("interrupted", e);
        } catch (MigrationFailedException | PostcopyInterruptedException e) {
            throw e;
        } catch (QmpConnectionClosedException e) {
            if (postcopyBegan) {
                throw PostcopyInterruptedException.zoneAtRisk(
                        zone,
                        status,
                        "the source's QEMU stopped answering (its monitor connection closed:"
                                + " "
                                + e.getMessage()
                                + "); the pages the destination has not received are there",
                        e);
            }
            throw abort(e.getMessage(), e);
        } catch (RuntimeException e) {
            if (postcopyBegan) {
                throw PostcopyInterruptedException.unwatched(zone, status, e.toString(), e);
            }
            if (e instanceof QmpException) {
                throw abort(e.getMessage(), e);
            }
            throw e;
        } finally {
            if (resumed != null) {
                resumed.close();
            }
            subscriptions.forEach(
                    s -> {
                        try {
                            s.close();
                        } catch (Exception ignored) {
                            // unsubscribe only fails if the connection is already gone
                        }
                    });
        }
    }

    /**
     * One look at a post-copy in progress: a stream that stopped moving is paused on purpose.
     * Returns when the pause was requested (0: not yet).
     */
    private long watchPostcopy(
            MigrationProgress p, PostcopyStallWatch stall, long now, long pauseRequestedAt) {
        if (!p.status().equals("postcopy-active")) {
            stall.reset();
            return pauseRequestedAt;
        }
        if (pauseRequestedAt != 0) {
            if (now - pauseRequestedAt > PAUSE_CONFIRMATION.toNanos()) {
                throw PostcopyInterruptedException.unwatched(
                        zone,
                        p.status(),
                        "QEMU did not pause the stalled post-copy within "
                                + PAUSE_CONFIRMATION.toSeconds()
                                + " s of migrate-pause",
                        null);
            }
            return pauseRequestedAt;
        }
        if (!stall.stalled(now, p.transferredBytes())) {
            return 0;
        }
        log.warn(
                "zone {}: post-copy sent nothing for {} s ({} bytes so far): pausing it"
                        + " (migrate-pause) so that it can be recovered",
                zone,
                postcopyStall.toSeconds(),
                p.transferredBytes());
        source.executeOob("migrate-pause", null, QmpClient.DEFAULT_TIMEOUT);
        return now;
    }

    /**
     * The source reports {@code postcopy-paused}. In a local run this object also holds the
     * destination's monitor: a destination whose QEMU is gone cannot be recovered.
     */
    private PostcopyInterruptedException pausedOrAtRisk(boolean pausedByUs) {
        String why =
                pausedByUs
                        ? "the stream made no progress for "
                                + postcopyStall.toSeconds()
                                + " s and was paused with migrate-pause"
                        : "QEMU: " + errorDescription();
        if (destination != null && !answers(destination)) {
            return PostcopyInterruptedException.zoneAtRisk(
                    zone,
                    "postcopy-paused",
                    "the destination's QEMU is gone (" + why + "), and with it the running zone",
                    null);
        }
        log.warn("zone {}: post-copy paused ({})", zone, why);
        return PostcopyInterruptedException.paused(zone, why);
    }

    private static boolean answers(QmpClient qmp) {
        try {
            qmp.execute("query-status", null, Duration.ofSeconds(2));
            return true;
        } catch (QmpException e) {
            return false;
        }
    }

    /**
     * QEMU announces "completed" before it computes the final total time and downtime, so an
     * immediate query-migrate can still show zeros: ask until they are filled in.
     */
    private JsonNode finalStatistics() throws InterruptedException {
        JsonNode info = source.execute("query-migrate");
        for (int i = 0; i < 40 && info.path("total-time").asLong() == 0; i++) {
            Thread.sleep(25);
            info = source.execute("query-migrate");
        }
        return info;
    }

    private void prepareSource() {
        Map<String, Boolean> caps = destinationCapabilities(options);
        caps.put("auto-converge", options.autoConverge());
        caps.put("xbzrle", options.xbzrle());
        caps.put("pause-before-switchover", options.pauseBeforeSwitchover());
        setCapabilities(source, caps);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("downtime-limit", options.downtimeLimit().toMillis());
        params.put(
                "max-bandwidth",
                options.maxBandwidthBytesPerSec() == 0
                        ? UNLIMITED
                        : options.maxBandwidthBytesPerSec());
        if (options.multifdChannels() > 0) {
            params.put("multifd-channels", options.multifdChannels());
            params.put("multifd-compression", options.multifdCompression());
        }
        if (options.xbzrle()) {
            // The xbzrle page cache must be a power of two; a quarter of guest RAM covers a hot
            // working set.
            params.put(
                    "xbzrle-cache-size",
                    Long.highestOneBit(Math.max(guestMemory.bytes() / 4, 1 << 20)));
        }
        source.execute("migrate-set-parameters", params);
    }

    /** Capabilities both sides must agree on. */
    private static Map<String, Boolean> destinationCapabilities(MigrationOptions options) {
        Map<String, Boolean> caps = new LinkedHashMap<>();
        caps.put("events", true);
        caps.put("multifd", options.multifdChannels() > 0);
        caps.put("postcopy-ram", options.postcopy());
        // Post-copy pulls faulted pages back from the source over the return path.
        caps.put("return-path", options.postcopy());
        return caps;
    }

    private static void setCapabilities(QmpClient qmp, Map<String, Boolean> caps) {
        List<Map<String, Object>> list = new ArrayList<>();
        caps.forEach((name, state) -> list.add(Map.of("capability", name, "state", state)));
        qmp.execute("migrate-set-capabilities", Map.of("capabilities", list));
    }

    private MigrationFailedException abort(String reason, Throwable cause) {
        boolean running = false;
        try {
            source.execute("migrate_cancel");
            // Cancelling is asynchronous; QEMU restarts the source's vCPUs when the cancel
            // completes.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String status = "";
            while (System.nanoTime() < deadline) {
                status = source.execute("query-migrate").path("status").asText();
                if (!status.equals("cancelling")
                        && !status.equals("active")
                        && !status.equals("pre-switchover")
                        && !status.equals("device")) {
                    break;
                }
                Thread.sleep(50);
            }
            // Resume the source only when the stream ended unfinished: after "completed" the
            // destination holds the whole zone (and with post-copy it already runs), so only the
            // coordinator, once it knows the destination's fate, may decide to resume the source.
            JsonNode st = source.execute("query-status");
            if (!st.path("running").asBoolean()
                    && (status.equals("cancelled") || status.equals("failed"))) {
                source.execute("cont");
            }
            running = source.execute("query-status").path("running").asBoolean();
        } catch (QmpException e) {
            log.warn(
                    "zone {}: could not confirm the source after a failed migration: {}",
                    zone,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String where =
                running ? "the zone keeps running at its source" : "the source is NOT running";
        return new MigrationFailedException(
                "migration of zone '" + zone + "' failed: " + reason + "; " + where,
                running,
                cause);
    }

    private String errorDescription() {
        try {
            return source.execute("query-migrate").path("error-desc").asText("no reason given");
        } catch (QmpException e) {
            return "no reason given (" + e.getMessage() + ")";
        }
    }

    private MigrationProgress progress(JsonNode info, long elapsedNanos) {
        JsonNode ram = info.path("ram");
        return new MigrationProgress(
                zone,
                info.path("status").asText(),
                elapsedNanos / 1_000_000,
                ram.path("transferred").asLong(),
                ram.path("remaining").asLong(),
                ram.path("total").asLong(),
                ram.path("dirty-sync-count").asLong(),
                ram.path("mbps").asDouble(),
                ram.path("dirty-pages-rate").asLong());
    }

    private MigrationReport report(
            String fromInstance,
            String toInstance,
            JsonNode info,
            long wallMillis,
            QmpEvent stop,
            QmpEvent resume,
            long hookMillis,
            boolean postcopyUsed) {
        JsonNode ram = info.path("ram");
        long total = info.path("total-time").asLong();
        long setup = info.path("setup-time").asLong();
        long transferred = ram.path("transferred").asLong();
        long pauseToResume = -1;
        if (stop != null && resume != null) {
            pauseToResume = Duration.between(stop.timestamp(), resume.timestamp()).toMillis();
        }
        double seconds = Math.max(total - setup, 1) / 1000.0;
        return new MigrationReport(
                zone,
                fromInstance,
                toInstance,
                setup,
                total,
                wallMillis,
                info.path("downtime").asLong(),
                pauseToResume,
                hookMillis,
                transferred,
                ram.path("dirty-sync-count").asLong(),
                transferred * 8 / 1e6 / seconds,
                postcopyUsed,
                stop == null
                        ? 0
                        : stop.timestamp().getEpochSecond() * 1_000_000
                                + stop.timestamp().getNano() / 1_000);
    }
}
