package io.livezone.storage;

import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpCommandException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Makes a remote zone disk local while the zone runs (mode b → local): a zone whose disk is an NBD
 * client node ({@link ZoneDisk.RemoteExport}) mirrors it into a new local qcow2 file, then pivots
 * its device onto the local copy. The guest notices nothing; afterwards the host serving the export
 * is no longer needed.
 *
 * <pre>{@code
 * try (DiskPull pull = DiskPull.start(qmp, remoteDisk, localImage, qemuImg, MirrorOptions.full())) {
 *     pull.awaitReady(timeout);
 *     ZoneDisk local = pull.pivot(timeout);  // device now on lz-<id>-local
 * }
 * }</pre>
 *
 * <p>QMP sequence: {@code blockdev-add} (qcow2 {@code lz-<id>-local} over file {@code
 * lz-<id>-local-file}, the image created beforehand with qemu-img), {@code blockdev-mirror} (job
 * {@code lz-<id>-pull}, sync full), {@code BLOCK_JOB_READY}, {@code block-job-complete}, {@code
 * BLOCK_JOB_COMPLETED} (the device now writes to the local node), {@code blockdev-del} of the old
 * nbd node, which closes the connection to the export.
 *
 * <p>Always a full copy: an NBD export shows the flattened disk, so there is no backing chain for
 * {@code sync=top} to skip. On failure the job is cancelled, the local node removed and the local
 * file deleted; the zone keeps using the remote disk.
 */
public final class DiskPull implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskPull.class);
    private static final Duration ABORT_TIMEOUT = Duration.ofSeconds(30);

    private enum State {
        RUNNING,
        PIVOTED,
        ABORTED
    }

    private final QmpClient qmp;
    private final ZoneDisk remote;
    private final ZoneDisk local;
    private final MirrorJob job;
    private volatile State state = State.RUNNING;

    private DiskPull(QmpClient qmp, ZoneDisk remote, ZoneDisk local, MirrorJob job) {
        this.qmp = qmp;
        this.remote = remote;
        this.local = local;
        this.job = job;
    }

    /**
     * Creates {@code localImage} (qcow2, the remote disk's size) and starts copying into it.
     *
     * @param remoteDisk the zone's disk as currently attached; must be a {@link
     *     ZoneDisk.RemoteExport}
     * @param localImage must not exist yet
     * @throws IllegalArgumentException the disk is not remote, or {@code options} asks for sync top
     * @throws BlockJobException the disk's node is missing or inactive, or QEMU refused the job
     * @throws StorageException the local image cannot be created or opened
     */
    public static DiskPull start(
            QmpClient qmp,
            ZoneDisk remoteDisk,
            Path localImage,
            QemuImg qemuImg,
            MirrorOptions options) {
        Objects.requireNonNull(qmp, "qmp is null");
        Objects.requireNonNull(remoteDisk, "remoteDisk is null");
        Objects.requireNonNull(localImage, "localImage is null");
        Objects.requireNonNull(qemuImg, "qemuImg is null");
        Objects.requireNonNull(options, "options is null");
        if (!(remoteDisk.location() instanceof ZoneDisk.RemoteExport)) {
            throw new IllegalArgumentException(
                    "disk '" + remoteDisk.id() + "' is already local: " + remoteDisk.location());
        }
        if (options.sync() != MirrorOptions.Sync.FULL) {
            throw new IllegalArgumentException(
                    "a pull copies the whole disk (an NBD export has no backing chain to skip);"
                            + " use MirrorOptions.full()");
        }
        String jobId = "lz-" + remoteDisk.id() + "-pull";
        long size = BlockGraph.requireActiveNode(qmp, remoteDisk.nodeName(), jobId);
        ZoneDisk local =
                ZoneDisk.local(remoteDisk.id(), localImage)
                        .withNodeName("lz-" + remoteDisk.id() + "-local");
        Path file = ((ZoneDisk.LocalImage) local.location()).image();
        qemuImg.create(file, ImageFormat.QCOW2, size);
        boolean nodeAdded = false;
        try {
            try {
                qmp.execute("blockdev-add", local.blockdevOptions());
                nodeAdded = true;
            } catch (QmpCommandException e) {
                throw new StorageException(
                        "cannot open local image " + file + " in QEMU: " + e.description(), e);
            }
            MirrorJob job =
                    MirrorJob.start(qmp, jobId, remoteDisk.nodeName(), local.nodeName(), options);
            LOG.debug("pulling {} into {}", remoteDisk.nodeName(), file);
            return new DiskPull(qmp, remoteDisk, local, job);
        } catch (RuntimeException e) {
            if (nodeAdded) {
                BlockGraph.remove(qmp, local.nodeName());
            }
            deleteQuietly(file);
            throw e;
        }
    }

    public String jobId() {
        return job.id();
    }

    /** The disk as it will be after {@link #pivot}. */
    public ZoneDisk localDisk() {
        return local;
    }

    public MirrorProgress progress() {
        return job.progress();
    }

    public boolean isReady() {
        return job.isReady();
    }

    /** Changes the copy rate limit; 0 removes it. */
    public void setBytesPerSecond(long limit) {
        requireRunning("change its rate");
        job.setSpeed(limit);
    }

    /**
     * Waits until the local copy is in sync; guest writes keep going to both until {@link #pivot}.
     *
     * @throws BlockJobException the job failed or did not get ready in time; it has been aborted
     */
    public MirrorProgress awaitReady(Duration timeout) {
        requireRunning("wait for it");
        try {
            job.awaitReady(timeout);
            return job.progress();
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    /**
     * Switches the zone's device to the local copy ({@code block-job-complete}) and drops the
     * remote node (closing its NBD connection).
     *
     * @return the disk as now attached: local, node {@code lz-<id>-local}
     * @throws IllegalStateException the copy is not ready yet
     * @throws BlockJobException the pivot failed; the zone still uses the remote disk
     */
    public synchronized ZoneDisk pivot(Duration timeout) {
        requireRunning("pivot");
        if (!job.isReady()) {
            throw new IllegalStateException(
                    "pull job '" + job.id() + "' is not ready; call awaitReady() first");
        }
        MirrorJob.Outcome outcome;
        try {
            outcome = job.complete(timeout);
        } catch (RuntimeException e) {
            abortQuietly();
            throw e;
        }
        if (!outcome.completedCleanly()) {
            abortQuietly();
            throw new BlockJobException(
                    job.id(),
                    "pull job '"
                            + job.id()
                            + "' "
                            + outcome.describe()
                            + "; the zone still uses the remote disk");
        }
        state = State.PIVOTED;
        job.close();
        BlockGraph.remove(qmp, remote.nodeName());
        LOG.debug("zone disk {} now local at {}", remote.id(), local.location());
        return local;
    }

    /**
     * Cancels the copy, removes the local node and deletes the local file; the zone keeps the
     * remote disk. Idempotent; QEMU failures are logged, not thrown.
     */
    public synchronized void abort() {
        abortQuietly();
    }

    /** Aborts unless {@link #pivot} succeeded. */
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
            job.abortQuietly(ABORT_TIMEOUT, "pull");
        } finally {
            if (qmp.isConnected()) {
                BlockGraph.remove(qmp, local.nodeName());
            }
            deleteQuietly(((ZoneDisk.LocalImage) local.location()).image());
        }
    }

    private void requireRunning(String action) {
        if (state != State.RUNNING) {
            throw new IllegalStateException(
                    "cannot " + action + ": pull job '" + job.id() + "' is " + state);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", file, e.getMessage());
        }
    }
}
