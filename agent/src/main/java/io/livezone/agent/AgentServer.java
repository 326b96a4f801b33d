package io.livezone.agent;

import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.IncomingRequest;
import io.livezone.core.cluster.MigrateOutRequest;
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
                        .start();
    }

    public InetSocketAddress address() {
        return http.address();
    }

    @Override
    public void close() {
        http.close();
    }
}
