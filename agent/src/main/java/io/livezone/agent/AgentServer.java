package io.livezone.agent;

import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.AgentGateway;
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
import java.util.Map;

/** The agent's HTTP API: {@link AgentGateway} one route per method, token-protected. */
public final class AgentServer implements AutoCloseable {
    private final JsonHttpServer http;

    public AgentServer(InetSocketAddress address, String token, AgentGateway agent) {
        http =
                new JsonHttpServer(address, token)
                        .openRoute(
                                "GET",
                                "/v1/health",
                                (JsonHttpServer.Handler) r -> Map.of("ok", true))
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
                                r ->
                                        agent.migrateOut(
                                                r.param("zone"), r.body(MigrateOutRequest.class)))
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
                                r -> agent.suspend(r.param("zone")))
                        .route(
                                "POST",
                                "/v1/zones/{zone}/restore",
                                r ->
                                        agent.restore(
                                                named(
                                                        r.param("zone"),
                                                        r.body(ZoneDefinition.class))))
                        .route(
                                "POST",
                                "/v1/hibernated/{zone}/incoming",
                                r -> agent.receiveHibernated(r.param("zone")))
                        .route(
                                "POST",
                                "/v1/hibernated/{zone}/send",
                                r ->
                                        agent.sendHibernated(
                                                r.param("zone"), r.body(HibernatedSend.class)))
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
                                r ->
                                        agent.mirrorDisk(
                                                r.param("zone"), r.body(DiskMirrorRequest.class)))
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
                                r -> agent.pullDisk(r.param("zone")))
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
                                "/v1/images/incoming",
                                r -> agent.receiveBaseImage(r.body(BaseImageInfo.class)))
                        .route(
                                "POST",
                                "/v1/images/send",
                                r -> agent.sendBaseImage(r.body(BaseImageSend.class)))
                        .start();
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
