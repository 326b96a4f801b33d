package io.livezone.storage;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpCommandException;
import io.livezone.qemu.qmp.QmpErrorClass;
import io.livezone.qemu.qmp.QmpEvent;
import io.livezone.qemu.qmp.QmpException;
import io.livezone.qemu.qmp.Subscription;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@code blockdev-mirror} job and the events that tell its fate, shared by {@link DiskMirror}
 * and {@link DiskPull}. Only this class talks to QEMU about the job; the public classes own the
 * nodes around it.
 *
 * <p>Event listening starts before the job does, so a job that fails at once is still seen. Jobs
 * run with QEMU's defaults {@code auto-finalize} and {@code auto-dismiss}: once its end event is
 * out, the job is gone from {@code query-block-jobs}.
 */
final class MirrorJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorJob.class);

    /** How the job ended. {@code error} is null unless QEMU reported one. */
    record Outcome(String event, String error, long offset, long length) {
        boolean completedCleanly() {
            return event.equals("BLOCK_JOB_COMPLETED") && error == null;
        }

        String describe() {
            if (error != null) {
                return "failed (" + error + ")";
            }
            return event.equals("BLOCK_JOB_COMPLETED") ? "completed" : "was cancelled";
        }
    }

    private static final Duration SLICE = Duration.ofMillis(200);

    private final QmpClient qmp;
    private final String jobId;
    private final CompletableFuture<QmpEvent> ready = new CompletableFuture<>();
    private final CompletableFuture<QmpEvent> ended = new CompletableFuture<>();

    /** What the last BLOCK_JOB_ERROR says; it precedes the failing end event. */
    private final AtomicReference<String> lastIoError = new AtomicReference<>();

    private final Subscription subscription;

    private MirrorJob(QmpClient qmp, String jobId) {
        this.qmp = qmp;
        this.jobId = jobId;
        this.subscription = qmp.addEventListener(this::onEvent);
    }

    /**
     * Starts mirroring {@code sourceNode} into {@code targetNode}.
     *
     * @throws BlockJobException QEMU refused to start the job (nothing was started)
     */
    static MirrorJob start(
            QmpClient qmp,
            String jobId,
            String sourceNode,
            String targetNode,
            MirrorOptions options) {
        MirrorJob job = new MirrorJob(qmp, jobId);
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("job-id", jobId);
        args.put("device", sourceNode);
        args.put("target", targetNode);
        args.put("sync", options.sync().qemuName);
        args.put("copy-mode", options.copyMode().qemuName);
        if (options.bytesPerSecond() > 0) {
            args.put("speed", options.bytesPerSecond());
        }
        if (options.granularity() > 0) {
            args.put("granularity", options.granularity());
        }
        try {
            qmp.execute("blockdev-mirror", args);
            return job;
        } catch (QmpCommandException e) {
            job.close();
            throw new BlockJobException(
                    jobId,
                    "cannot start mirror job '"
                            + jobId
                            + "' from node '"
                            + sourceNode
                            + "' to '"
                            + targetNode
                            + "': "
                            + e.description(),
                    e);
        } catch (QmpException e) {
            job.close();
            throw new BlockJobException(
                    jobId, "cannot start mirror job '" + jobId + "': " + e.getMessage(), e);
        }
    }

    private void onEvent(QmpEvent e) {
        if (!jobId.equals(e.data().path("device").asText())) {
            return;
        }
        switch (e.name()) {
            case "BLOCK_JOB_READY" -> ready.complete(e);
            case "BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED" -> ended.complete(e);
            case "BLOCK_JOB_ERROR" ->
                    lastIoError.set(
                            e.data().path("operation").asText("?").equals("write")
                                    ? "writing to the target failed: check the target's QEMU or"
                                            + " NBD server and the link to it"
                                    : "reading the source failed: check the zone's disk");
            default -> {}
        }
    }

    String id() {
        return jobId;
    }

    boolean isReady() {
        return ready.isDone();
    }

    boolean hasEnded() {
        return ended.isDone();
    }

    /**
     * Waits for BLOCK_JOB_READY.
     *
     * @throws BlockJobException the job ended first, did not get ready in time, or QMP broke
     */
    void awaitReady(Duration timeout) {
        CompletableFuture<Object> either = CompletableFuture.anyOf(ready, ended);
        await(either, timeout, "get ready (source and destination in sync)");
        if (ended.isDone()) {
            throw new BlockJobException(
                    jobId,
                    "mirror job '" + jobId + "' " + outcome().describe() + " before it was ready");
        }
    }

    /** Waits for the job's end event and returns how it ended. */
    Outcome awaitEnd(Duration timeout) {
        await(ended, timeout, "end");
        return outcome();
    }

    /**
     * {@code block-job-cancel}. With {@code force=false} on a ready mirror the job ends with
     * BLOCK_JOB_COMPLETED and the target holds a point-in-time copy of the source (QEMU's
     * documented semantics); otherwise it ends with BLOCK_JOB_CANCELLED.
     */
    Outcome cancel(boolean force, Duration timeout) {
        if (!ended.isDone()) {
            try {
                qmp.execute("block-job-cancel", Map.of("device", jobId, "force", force));
            } catch (QmpCommandException e) {
                // The job ended between our check and the command; its end event is on its way.
                if (e.errorClass() != QmpErrorClass.DEVICE_NOT_ACTIVE) {
                    throw new BlockJobException(
                            jobId,
                            "cannot cancel mirror job '" + jobId + "': " + e.description(),
                            e);
                }
            }
        }
        return awaitEnd(timeout);
    }

    /** {@code block-job-complete}: pivot the source node's parents onto the target. */
    Outcome complete(Duration timeout) {
        try {
            qmp.execute("block-job-complete", Map.of("device", jobId));
        } catch (QmpCommandException e) {
            throw new BlockJobException(
                    jobId, "cannot complete mirror job '" + jobId + "': " + e.description(), e);
        }
        return awaitEnd(timeout);
    }

    void setSpeed(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate limit must be >= 0, got " + bytesPerSecond);
        }
        try {
            qmp.execute("block-job-set-speed", Map.of("device", jobId, "speed", bytesPerSecond));
        } catch (QmpCommandException e) {
            throw new BlockJobException(
                    jobId, "cannot change the rate of job '" + jobId + "': " + e.description(), e);
        }
    }

    MirrorProgress progress() {
        for (JsonNode job : qmp.execute("query-block-jobs")) {
            if (jobId.equals(job.path("device").asText())) {
                return new MirrorProgress(
                        jobId,
                        job.path("status").asText(),
                        job.path("offset").asLong(),
                        job.path("len").asLong(),
                        job.path("ready").asBoolean() || ready.isDone());
            }
        }
        if (ended.isDone()) {
            Outcome o = outcome();
            return new MirrorProgress(jobId, "concluded", o.offset(), o.length(), ready.isDone());
        }
        throw new BlockJobException(
                jobId, "mirror job '" + jobId + "' is not known to QEMU at " + qmp.socket());
    }

    private Outcome outcome() {
        QmpEvent e = ended.join();
        String error = e.data().hasNonNull("error") ? e.data().get("error").asText() : null;
        String io = lastIoError.get();
        if (error != null && io != null) {
            error = error + "; " + io;
        }
        return new Outcome(
                e.name(), error, e.data().path("offset").asLong(), e.data().path("len").asLong());
    }

    /** Waits in slices so a QMP connection that dies is noticed instead of waiting out. */
    private void await(CompletableFuture<?> future, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new BlockJobException(
                        jobId, "mirror job '" + jobId + "' did not " + what + " within " + timeout);
            }
            try {
                future.get(Math.min(left, SLICE.toNanos()), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                if (!qmp.isConnected()) {
                    throw new BlockJobException(
                            jobId,
                            "lost the QMP connection to "
                                    + qmp.socket()
                                    + " while waiting for mirror job '"
                                    + jobId
                                    + "' to "
                                    + what
                                    + " (did QEMU exit?)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BlockJobException(
                        jobId, "interrupted while waiting for mirror job '" + jobId + "'", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("job event futures never fail", e);
            }
        }
    }

    /**
     * For error paths of the public classes: cancels the job if it still runs (force), logs rather
     * than throws if QEMU refuses, and always closes this handle. {@code what} names the job in the
     * log ("mirror", "pull").
     */
    void abortQuietly(Duration timeout, String what) {
        try {
            if (!hasEnded()) {
                cancel(true, timeout);
            }
        } catch (QmpException | StorageException e) {
            LOG.warn("could not cancel {} job {}: {}", what, id(), e.getMessage());
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
