package io.livezone.agent;

import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.AgentJob;
import io.livezone.core.cluster.BaseImageImport;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.BaseImageSend;
import io.livezone.core.cluster.BaseImageSpec;
import io.livezone.core.cluster.DiskMirrorRequest;
import io.livezone.core.cluster.HibernatedSend;
import io.livezone.core.cluster.IncomingRequest;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.ServeDiskRequest;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.http.JsonHttpServer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The agent's HTTP API: {@link AgentGateway} one route per method, token-protected; the long
 * operations answer with a job ({@link AgentJob}) instead of lasting as long as their request.
 */
public final class AgentServer implements AutoCloseable {
    private final JsonHttpServer http;

    /**
     * Long operations (migrate, disk mirror and pull, suspend, restore, image sends) run as {@code
     * jobs}: their call is answered at once (202, the job) and the job is asked after at {@link
     * AgentJob#ROUTE}.
     */
    public AgentServer(
            InetSocketAddress address,
            String token,
            AgentGateway agent,
            AgentJobs jobs,
            JobDeadlines deadlines) {
        http =
                new JsonHttpServer(address, token)
                        .openRoute(
                                "GET",
                                "/v1/health",
                                (JsonHttpServer.Handler) r -> Map.of("ok", true))
                        .route("GET", AgentJob.ROUTE, r -> jobs.get(r.param("id")))
                        .route("GET", "/v1/zones", r -> agent.zones())
                        .route("POST", "/v1/zones", r -> agent.start(r.body(ZoneDefinition.class)))
                        .route(
                                "DELETE",
                                "/v1/zones/{zone}",
                                r -> {
                                    agent.stop(r.param("zone"));
                                    return null;
                                })
                        .route(
                                "POST",
                                "/v1/zones/{zone}/restart",
                                r -> agent.restart(r.param("zone")))
                        .route(
                                "POST",
                                "/v1/zones/{zone}/migrate",
                                r -> {
                                    String zone = r.param("zone");
                                    MigrateOutRequest request = r.body(MigrateOutRequest.class);
                                    return accepted(
                                            jobs.start(
                                                    "migrate-out",
                                                    zone,
                                                    deadlines.migration(zone, request.settings()),
                                                    () -> agent.migrateOut(zone, request)));
                                })
                        .route(
                                "POST",
                                "/v1/zones/{zone}/resume-postcopy",
                                r -> {
                                    String zone = r.param("zone");
                                    MigrateOutRequest request = r.body(MigrateOutRequest.class);
                                    return accepted(
                                            jobs.start(
                                                    "resume-postcopy",
                                                    zone,
                                                    deadlines.migration(zone, request.settings()),
                                                    () -> agent.resumePostcopy(zone, request)));
                                })
                        .route(
                                "GET",
                                "/v1/zones/{zone}/progress",
                                r -> agent.progress(r.param("zone")).orElse(null))
                        .route(
                                "POST",
                                "/v1/zones/{zone}/cancel",
                                r -> {
                                    agent.cancelMigration(r.param("zone"));
                                    return null;
                                })
                        .route(
                                "POST",
                                "/v1/zones/{zone}/release",
                                r -> {
                                    agent.releaseMigrated(r.param("zone"));
                                    return null;
                                })
                        .route(
                                "POST",
                                "/v1/zones/{zone}/resume-source",
                                r -> {
                                    agent.resumeSource(r.param("zone"));
                                    return null;
                                })
                        .route(
                                "POST",
                                "/v1/zones/{zone}/suspend",
                                r ->
                                        job(
                                                jobs,
                                                "suspend",
                                                r.param("zone"),
                                                JobDeadlines.SUSPEND,
                                                () -> agent.suspend(r.param("zone"))))
                        .route(
                                "POST",
                                "/v1/zones/{zone}/restore",
                                r -> {
                                    ZoneDefinition zone =
                                            named(r.param("zone"), r.body(ZoneDefinition.class));
                                    return job(
                                            jobs,
                                            "restore",
                                            zone.name(),
                                            JobDeadlines.RESTORE,
                                            () -> agent.restore(zone));
                                })
                        .route(
                                "POST",
                                "/v1/hibernated/{zone}/incoming",
                                r -> agent.receiveHibernated(r.param("zone")))
                        .route(
                                "POST",
                                "/v1/hibernated/{zone}/send",
                                r -> {
                                    HibernatedSend send = r.body(HibernatedSend.class);
                                    return job(
                                            jobs,
                                            "send-hibernated",
                                            r.param("zone"),
                                            JobDeadlines.IMAGE_SEND,
                                            () -> agent.sendHibernated(r.param("zone"), send));
                                })
                        .route(
                                "DELETE",
                                "/v1/hibernated/{zone}",
                                r -> {
                                    agent.discardHibernated(r.param("zone"));
                                    return null;
                                })
                        .route(
                                "POST",
                                "/v1/incoming",
                                r -> agent.prepareIncoming(r.body(IncomingRequest.class)))
                        .route(
                                "POST",
                                "/v1/incoming/{zone}/commit",
                                r -> agent.commitIncoming(r.param("zone")))
                        .route(
                                "POST",
                                "/v1/incoming/{zone}/recover",
                                r -> agent.recoverIncoming(r.param("zone")))
                        .route(
                                "DELETE",
                                "/v1/incoming/{zone}",
                                r -> {
                                    agent.discardIncoming(r.param("zone"));
                                    return null;
                                })
                        .route(
                                "GET",
                                "/v1/incoming/{zone}/disk",
                                r -> agent.incomingDisk(r.param("zone")))
                        .route(
                                "POST",
                                "/v1/zones/{zone}/disk/mirror",
                                r -> {
                                    DiskMirrorRequest mirror = r.body(DiskMirrorRequest.class);
                                    return job(
                                            jobs,
                                            "disk-mirror",
                                            r.param("zone"),
                                            JobDeadlines.DISK_COPY,
                                            () -> agent.mirrorDisk(r.param("zone"), mirror));
                                })
                        .route(
                                "DELETE",
                                "/v1/zones/{zone}/disk/mirror",
                                r -> {
                                    agent.abortDiskMirror(r.param("zone"));
                                    return null;
                                })
                        .route(
                                "GET",
                                "/v1/zones/{zone}/disk/outgoing",
                                r -> agent.outgoingDisk(r.param("zone")))
                        .route(
                                "POST",
                                "/v1/zones/{zone}/disk/pull",
                                r ->
                                        job(
                                                jobs,
                                                "disk-pull",
                                                r.param("zone"),
                                                JobDeadlines.DISK_COPY,
                                                () -> agent.pullDisk(r.param("zone"))))
                        .route(
                                "POST",
                                "/v1/served-disks",
                                r -> agent.serveDisk(r.body(ServeDiskRequest.class)))
                        .route(
                                "DELETE",
                                "/v1/served-disks/{zone}",
                                r -> {
                                    agent.stopServingDisk(r.param("zone"));
                                    return null;
                                })
                        .route(
                                "POST",
                                "/v1/images",
                                r -> agent.createBaseImage(r.body(BaseImageSpec.class)))
                        .route(
                                "POST",
                                "/v1/images/import",
                                r -> agent.importBaseImage(r.body(BaseImageImport.class)))
                        .route(
                                "POST",
                                "/v1/images/incoming",
                                r -> agent.receiveBaseImage(r.body(BaseImageInfo.class)))
                        .route(
                                "POST",
                                "/v1/images/send",
                                r -> {
                                    BaseImageSend send = r.body(BaseImageSend.class);
                                    return job(
                                            jobs,
                                            "send-base-image",
                                            "-",
                                            JobDeadlines.IMAGE_SEND,
                                            () -> agent.sendBaseImage(send));
                                })
                        .start();
    }

    private static JsonHttpServer.Accepted job(
            AgentJobs jobs, String kind, String zone, Duration deadline, Callable<?> work) {
        return accepted(jobs.start(kind, zone, deadline, work));
    }

    private static JsonHttpServer.Accepted accepted(AgentJob job) {
        return new JsonHttpServer.Accepted(job, AgentJob.path(job.id()));
    }

    private static ZoneDefinition named(String zone, ZoneDefinition definition) {
        if (!definition.name().equals(zone)) {
            throw new InvalidInputException(
                    "the definition is of zone '" + definition.name() + "', not '" + zone + "'");
        }
        return definition;
    }

    public InetSocketAddress address() {
        return http.address();
    }

    @Override
    public void close() {
        http.close();
    }
}
