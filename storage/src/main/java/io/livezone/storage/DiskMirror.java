package io.livezone.storage;

import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpCommandException;
import io.livezone.qemu.qmp.QmpException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Source side of a storage migration: mirrors a running zone's disk into an NBD export on the
 * destination, so the destination has an identical disk when the zone's memory arrives.
 *
 * <pre>{@code
 * try (DiskMirror mirror = DiskMirror.start(sourceQmp, disk, export, MirrorOptions.full())) {
 *     mirror.awaitReady(timeout);           // in sync; keeps copying new guest writes
 *     // migrate memory with pause-before-switchover; in the pre-switchover pause
 *     // (the SwitchoverHook), before migrate-continue:
 *     mirror.finishWithoutPivot(timeout);  // destination = point-in-time copy
 * }                                         // close() without finishing aborts
 * }</pre>
 *
 * <p>QMP sequence on the source: {@code blockdev-add} (driver nbd, node {@code lz-<id>-mirror}),
 * {@code blockdev-mirror} (job {@code lz-<id>-push}), events {@code BLOCK_JOB_READY}, then {@code
 * block-job-cancel} with {@code force=false}, which QEMU documents for a ready mirror as ending the
 * job with {@code BLOCK_JOB_COMPLETED} and a target that is "a point-in-time copy tied to the time
 * of the cancellation" (qapi/block-core.json; iotest 218). The source node is never pivoted, so the
 * source zone keeps its own disk, and finally {@code blockdev-del} of the target node.
 *
 * <p>On any failure the job is cancelled and the NBD client node removed; the zone's disk and its
 * device are never touched. The destination image is then incomplete: discard it.
 */
public final class DiskMirror implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskMirror.class);
    private static final Duration ABORT_TIMEOUT = Duration.ofSeconds(30);

    private enum State {
        RUNNING,
        FINISHED,
        ABORTED
    }

    private final QmpClient qmp;
    private final ZoneDisk disk;
    private final NbdEndpoint destination;
    private final String targetNode;
    private final MirrorJob job;
    private volatile State state = State.RUNNING;

    private DiskMirror(
            QmpClient qmp,
            ZoneDisk disk,
            NbdEndpoint destination,
            String targetNode,
            MirrorJob job) {
        this.qmp = qmp;
        this.disk = disk;
        this.destination = destination;
        this.targetNode = targetNode;
        this.job = job;
    }

    /**
     * Connects to the destination's export and starts copying {@code disk} into it.
     *
     * <p>With {@link MirrorOptions.Sync#TOP} only the overlay's own clusters are sent: the export
     * must then be an overlay on a base image identical to the source's (same {@link
     * BaseImageCache} hash), otherwise the destination disk silently differs.
     *
     * @throws NbdException the export cannot be reached (socket missing, export name unknown)
     * @throws BlockJobException the disk's node is missing or inactive, the export's size differs
     *     from the disk's, or QEMU refused the job
     */
    public static DiskMirror start(
            QmpClient qmp, ZoneDisk disk, NbdEndpoint destination, MirrorOptions options) {
        Objects.requireNonNull(qmp, "qmp is null");
        Objects.requireNonNull(disk, "disk is null");
        Objects.requireNonNull(destination, "destination is null");
        Objects.requireNonNull(options, "options is null");
        String targetNode = "lz-" + disk.id() + "-mirror";
        String jobId = "lz-" + disk.id() + "-push";
        long sourceSize = BlockGraph.requireActiveNode(qmp, disk.nodeName(), jobId);
        removeLeftover(qmp, jobId, targetNode);
        addTarget(qmp, targetNode, destination, options);
        try {
            long targetSize = BlockGraph.virtualSize(qmp, targetNode).orElse(-1);
            if (targetSize != sourceSize) {
                throw new BlockJobException(
                        jobId,
                        "destination export "
                                + destination.uri()
                                + " is "
                                + targetSize
                                + " bytes but zone disk '"
                                + disk.id()
                                + "' is "
                                + sourceSize
                                + " bytes; create the destination image with the disk's virtual"
                                + " size (qemu-img create -f qcow2 [-b base -F fmt] <image> "
                                + sourceSize
                                + ")");
            }
            MirrorJob job = MirrorJob.start(qmp, jobId, disk.nodeName(), targetNode, options);
            LOG.debug(
                    "mirroring {} ({} bytes, sync={}) to {}",
                    disk.nodeName(),
                    sourceSize,
                    options.sync(),
                    destination.uri());
            return new DiskMirror(qmp, disk, destination, targetNode, job);
        } catch (RuntimeException e) {
            BlockGraph.remove(qmp, targetNode);
            throw e;
        }
    }

    /**
     * A mirror whose agent died mid-move leaves its job and target node in QEMU (nothing else would
     * remove them); they go before a new mirror adds its own under the same names.
     */
    private static void removeLeftover(QmpClient qmp, String jobId, String targetNode) {
        if (!BlockGraph.namedNodes(qmp).contains(targetNode)) {
            return;
        }
        LOG.info("removing the mirror {} an interrupted move left in QEMU", targetNode);
        try {
            qmp.execute("block-job-cancel", Map.of("device", jobId, "force", true));
        } catch (QmpException e) {
            LOG.debug("no leftover job {}: {}", jobId, e.getMessage());
        }
        BlockGraph.remove(qmp, targetNode);
    }

    private static void addTarget(
            QmpClient qmp, String targetNode, NbdEndpoint destination, MirrorOptions options) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("driver", "nbd");
        args.put("node-name", targetNode);
        args.put("server", destination.qemuServerAddress());
        args.put("export", destination.exportName());
        if (!options.reconnectDelay().isZero()) {
            args.put("reconnect-delay", Math.max(1, options.reconnectDelay().toSeconds()));
        }
        try {
            qmp.execute("blockdev-add", args);
        } catch (QmpCommandException e) {
            throw new NbdException(
                    "cannot connect to the destination's NBD export "
                            + destination.uri()
                            + ": "
                            + e.description()
                            + " (is the destination QEMU running with the export added, and the"
                            + " socket relayed to this host?)",
                    e);
        }
    }

    public String jobId() {
        return job.id();
    }

    public ZoneDisk disk() {
        return disk;
    }

    public NbdEndpoint destination() {
        return destination;
    }

    /** Current progress ({@code query-block-jobs}). */
    public MirrorProgress progress() {
        return job.progress();
    }

    /** True once BLOCK_JOB_READY arrived. */
    public boolean isReady() {
        return job.isReady();
    }

    /** Changes the copy rate limit ({@code block-job-set-speed}); 0 removes it. */
    public void setBytesPerSecond(long limit) {
        requireState(State.RUNNING, "change its rate");
        job.setSpeed(limit);
    }

    /**
     * Waits until the destination is in sync (BLOCK_JOB_READY). The mirror then keeps copying every
     * new guest write until {@link #finishWithoutPivot}.
     *
     * <p>Not exclusive: another thread may meanwhile read {@link #progress()}, change the rate or
     * {@link #abort()} (which makes this throw).
     *
     * @throws BlockJobException the job failed or did not get ready in time; it has been aborted
     */
    public MirrorProgress awaitReady(Duration timeout) {
        requireState(State.RUNNING, "wait for it");
        try {
            job.awaitReady(timeout);
            return job.progress();
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    /**
     * Ends the mirror leaving the destination as a consistent copy of the disk at this moment
     * ({@code block-job-cancel}, {@code force=false}, on the ready job); the zone keeps using its
     * source disk. Call it once the zone's vCPUs are stopped for good: at the migration's
     * pre-switchover pause, or after the migration completed if the destination is still paused
     * (see the package documentation). Then removes the NBD client node.
     *
     * @throws IllegalStateException the mirror is not ready yet
     * @throws BlockJobException the job did not end cleanly; the destination is not usable
     */
    public synchronized MirrorProgress finishWithoutPivot(Duration timeout) {
        requireState(State.RUNNING, "finish it");
        if (!job.isReady()) {
            throw new IllegalStateException(
                    "mirror job '" + job.id() + "' is not ready; call awaitReady() first");
        }
        MirrorJob.Outcome outcome;
        try {
            outcome = job.cancel(false, timeout);
        } catch (RuntimeException e) {
            abortQuietly();
            throw e;
        }
        if (!outcome.completedCleanly()) {
            abortQuietly();
            throw new BlockJobException(
                    job.id(),
                    "mirror job '"
                            + job.id()
                            + "' "
                            + outcome.describe()
                            + " instead of completing; the destination disk is not a consistent"
                            + " copy");
        }
        state = State.FINISHED;
        job.close();
        BlockGraph.remove(qmp, targetNode);
        LOG.debug("mirror {} finished: {} bytes copied", job.id(), outcome.offset());
        return new MirrorProgress(job.id(), "concluded", outcome.offset(), outcome.length(), true);
    }

    /**
     * Stops the mirror at once ({@code block-job-cancel force=true}) and removes the NBD client
     * node; the destination copy is left incomplete. Idempotent; never throws for QEMU failures
     * (they are logged), since it runs on error paths.
     */
    public synchronized void abort() {
        abortQuietly();
    }

    /** Aborts unless {@link #finishWithoutPivot} succeeded. */
    @Override
    public synchronized void close() {
        abortQuietly();
    }

    private void abortQuietly() {
        if (state != State.RUNNING) {
            return;
        }
        state = State.ABORTED;
        try {
            job.abortQuietly(ABORT_TIMEOUT, "mirror");
        } finally {
            if (qmp.isConnected()) {
                BlockGraph.remove(qmp, targetNode);
            }
        }
    }

    private void requireState(State expected, String action) {
        if (state != expected) {
            throw new IllegalStateException(
                    "cannot " + action + ": mirror job '" + job.id() + "' is " + state);
        }
    }
}
