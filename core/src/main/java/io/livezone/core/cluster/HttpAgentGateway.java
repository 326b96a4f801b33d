package io.livezone.core.cluster;

import com.fasterxml.jackson.databind.JavaType;

import io.livezone.core.EnvironmentException;
import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.ZoneStatus;
import io.livezone.core.http.ApiException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.http.JsonHttpServer;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@link AgentGateway} over the agent's HTTP API (paths under /v1/). Long operations (a migration,
 * a disk mirror or pull, a hibernation, an image send) are jobs on the agent ({@link AgentJob}):
 * each method starts its job and asks after it until it ends, so it blocks as long as the
 * operation, while no HTTP request lasts longer than {@link Timing#request}. How long it waits is
 * the job's own deadline (derived from the operation, e.g. a migration's timeouts for the zone's
 * memory), not a fixed HTTP timeout.
 */
public final class HttpAgentGateway implements AgentGateway {
    /**
     * How this client talks to an agent's jobs.
     *
     * @param request the timeout of each request that starts or asks after a job
     * @param pollEvery the longest pause between two asks (the first ones come sooner)
     * @param unreachableGrace how long an agent may not answer before the operation counts as
     *     failed (a restarting agent, a lost packet, are not failures)
     * @param deadlineMargin waited past the job's own deadline (the agent reports the end)
     */
    public record Timing(
            Duration request,
            Duration pollEvery,
            Duration unreachableGrace,
            Duration deadlineMargin) {
        public static final Timing DEFAULT =
                new Timing(
                        Duration.ofSeconds(30),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(30));
    }

    private static final JavaType STATUS_LIST =
            JsonHttpServer.JSON
                    .getTypeFactory()
                    .constructCollectionType(List.class, ZoneStatus.class);

    private final JsonHttpClient http;
    private final Timing timing;

    public HttpAgentGateway(URI base, String token) {
        this(base, token, Timing.DEFAULT);
    }

    public HttpAgentGateway(URI base, String token, Timing timing) {
        this.http = new JsonHttpClient(base, token);
        this.timing = timing;
    }

    @Override
    public List<ZoneStatus> zones() {
        return http.send("GET", "/v1/zones", null, STATUS_LIST, Duration.ofSeconds(30));
    }

    @Override
    public ZoneStatus start(ZoneDefinition zone) {
        return http.post("/v1/zones", zone, ZoneStatus.class, Duration.ofMinutes(5));
    }

    @Override
    public void stop(String zone) {
        http.delete("/v1/zones/" + zone, Duration.ofMinutes(1));
    }

    @Override
    public ZoneStatus restart(String zone) {
        return http.post(
                "/v1/zones/" + zone + "/restart", null, ZoneStatus.class, Duration.ofMinutes(5));
    }

    @Override
    public IncomingTicket prepareIncoming(IncomingRequest request) {
        return http.post("/v1/incoming", request, IncomingTicket.class, Duration.ofMinutes(2));
    }

    @Override
    public MigrationReport migrateOut(String zone, MigrateOutRequest request) {
        return job("/v1/zones/" + zone + "/migrate", request, MigrationReport.class);
    }

    @Override
    public Optional<MigrationProgress> progress(String zone) {
        return Optional.ofNullable(
                http.get("/v1/zones/" + zone + "/progress", MigrationProgress.class));
    }

    @Override
    public void cancelMigration(String zone) {
        http.post("/v1/zones/" + zone + "/cancel", null, Void.class);
    }

    @Override
    public ZoneStatus commitIncoming(String zone) {
        return http.post(
                "/v1/incoming/" + zone + "/commit", null, ZoneStatus.class, Duration.ofMinutes(2));
    }

    @Override
    public IncomingTicket recoverIncoming(String zone) {
        return http.post(
                "/v1/incoming/" + zone + "/recover",
                null,
                IncomingTicket.class,
                Duration.ofMinutes(1));
    }

    @Override
    public MigrationReport resumePostcopy(String zone, MigrateOutRequest request) {
        return job("/v1/zones/" + zone + "/resume-postcopy", request, MigrationReport.class);
    }

    @Override
    public void discardIncoming(String zone) {
        http.delete("/v1/incoming/" + zone, Duration.ofMinutes(1));
    }

    @Override
    public void releaseMigrated(String zone) {
        http.post("/v1/zones/" + zone + "/release", null, Void.class, Duration.ofMinutes(1));
    }

    @Override
    public void resumeSource(String zone) {
        http.post("/v1/zones/" + zone + "/resume-source", null, Void.class, Duration.ofMinutes(1));
    }

    @Override
    public BaseImageInfo createBaseImage(BaseImageSpec spec) {
        return http.post("/v1/images", spec, BaseImageInfo.class, Duration.ofMinutes(5));
    }

    @Override
    public BaseImageInfo importBaseImage(BaseImageImport request) {
        // Hashing and copying a root disk (400 MiB for PostgreSQL) on a busy machine.
        return http.post("/v1/images/import", request, BaseImageInfo.class, Duration.ofMinutes(5));
    }

    @Override
    public TransferTicket receiveBaseImage(BaseImageInfo image) {
        return http.post("/v1/images/incoming", image, TransferTicket.class, Duration.ofMinutes(1));
    }

    @Override
    public StorageTransfer sendBaseImage(BaseImageSend request) {
        return job("/v1/images/send", request, StorageTransfer.class);
    }

    @Override
    public DiskTicket incomingDisk(String zone) {
        return http.get("/v1/incoming/" + zone + "/disk", DiskTicket.class);
    }

    @Override
    public StorageTransfer mirrorDisk(String zone, DiskMirrorRequest request) {
        return job("/v1/zones/" + zone + "/disk/mirror", request, StorageTransfer.class);
    }

    @Override
    public StorageTransfer outgoingDisk(String zone) {
        return http.get("/v1/zones/" + zone + "/disk/outgoing", StorageTransfer.class);
    }

    @Override
    public void abortDiskMirror(String zone) {
        http.delete("/v1/zones/" + zone + "/disk/mirror", Duration.ofMinutes(1));
    }

    @Override
    public RemoteDisk serveDisk(ServeDiskRequest request) {
        return http.post("/v1/served-disks", request, RemoteDisk.class, Duration.ofMinutes(2));
    }

    @Override
    public void stopServingDisk(String zone) {
        http.delete("/v1/served-disks/" + zone, Duration.ofMinutes(1));
    }

    @Override
    public StorageTransfer pullDisk(String zone) {
        return job("/v1/zones/" + zone + "/disk/pull", null, StorageTransfer.class);
    }

    @Override
    public ZoneStatus suspend(String zone) {
        return job("/v1/zones/" + zone + "/suspend", null, ZoneStatus.class);
    }

    @Override
    public ZoneStatus restore(ZoneDefinition zone) {
        return job("/v1/zones/" + zone.name() + "/restore", zone, ZoneStatus.class);
    }

    @Override
    public TransferTicket receiveHibernated(String zone) {
        return http.post(
                "/v1/hibernated/" + zone + "/incoming",
                null,
                TransferTicket.class,
                Duration.ofMinutes(1));
    }

    @Override
    public StorageTransfer sendHibernated(String zone, HibernatedSend request) {
        return job("/v1/hibernated/" + zone + "/send", request, StorageTransfer.class);
    }

    @Override
    public void discardHibernated(String zone) {
        http.delete("/v1/hibernated/" + zone, Duration.ofMinutes(1));
    }

    /**
     * Starts the job at {@code path} and asks after it until it ends; returns its result, or throws
     * what the call would have thrown had it run within one request.
     */
    private <T> T job(String path, Object body, Class<T> type) {
        AgentJob job = http.post(path, body, AgentJob.class, timing.request());
        long started = System.nanoTime();
        long deadline =
                started
                        + Duration.ofMillis(job.deadlineMillis())
                                .plus(timing.deadlineMargin())
                                .toNanos();
        long lastAnswer = started;
        long pause = Math.min(50, timing.pollEvery().toMillis());
        while (!job.finished()) {
            if (System.nanoTime() - deadline > 0) {
                throw new ApiException(
                        504,
                        describe(job)
                                + " did not end within its deadline of "
                                + job.deadlineMillis() / 1000
                                + " s (+ "
                                + timing.deadlineMargin().toSeconds()
                                + " s)");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EnvironmentException("interrupted waiting for " + describe(job), e);
            }
            pause = Math.min(pause * 2, timing.pollEvery().toMillis());
            try {
                job =
                        http.send(
                                "GET",
                                AgentJob.path(job.id()),
                                null,
                                AgentJob.class,
                                timing.request());
                lastAnswer = System.nanoTime();
            } catch (ApiException e) {
                if (e.status() == 404) {
                    throw new AgentJobLostException(
                            describe(job)
                                    + " is unknown to the agent at "
                                    + http.base()
                                    + ": "
                                    + e.getMessage());
                }
                throw e;
            } catch (EnvironmentException e) {
                if (System.nanoTime() - lastAnswer > timing.unreachableGrace().toNanos()) {
                    throw new EnvironmentException(
                            describe(job)
                                    + ": the agent has not answered for "
                                    + timing.unreachableGrace().toSeconds()
                                    + " s: "
                                    + e.getMessage(),
                            e);
                }
            }
        }
        if (job.state() == AgentJob.State.FAILED) {
            throw JsonHttpClient.error(job.failure().status(), job.failure().message());
        }
        if (type == Void.class || job.result() == null || job.result().isNull()) {
            return null;
        }
        try {
            return JsonHttpServer.JSON.treeToValue(job.result(), type);
        } catch (java.io.IOException e) {
            throw new EnvironmentException(
                    describe(job) + " answered what is not a " + type.getSimpleName(), e);
        }
    }

    private static String describe(AgentJob job) {
        return "the " + job.kind() + " job " + job.id() + " of zone " + job.zone();
    }
}
