package io.livezone.coordinator.api;

import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.dashboard.Dashboard;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.SiteLink;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.Heartbeat;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.ApiException;
import io.livezone.core.http.JsonHttpServer;
import io.livezone.core.http.JsonHttpServer.Created;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's HTTP API, version 1 (documented in docs/api.md). Every route but health and the
 * dashboard's static page needs the cluster's bearer token; bodies are validated before anything
 * changes.
 */
public final class CoordinatorServer implements AutoCloseable {
    /** The whole fleet at a glance. */
    public record ClusterView(
            List<String> sites,
            List<SiteLink> links,
            List<HostRecord> hosts,
            List<ZoneRecord> zones) {}

    /** A plan with its derived progress. */
    public record PlanView(PlanRecord plan, double percent, long elapsedMillis) {
        static PlanView of(PlanRecord p) {
            return new PlanView(p, p.percent(), p.elapsedMillis());
        }
    }

    /** Shorthand for a one-move plan. */
    public record MigrateRequest(String to, String algorithm, MigrationSettings settings) {}

    private final JsonHttpServer http;
    private final Dashboard dashboard;

    public CoordinatorServer(InetSocketAddress address, String token, Coordinator c) {
        http =
                new JsonHttpServer(address, token)
                        .openRoute(
                                "GET",
                                "/v1/health",
                                (JsonHttpServer.Handler) r -> Map.of("ok", true))
                        .route("GET", "/v1/cluster", r -> view(c))
                        .route(
                                "POST",
                                "/v1/agents/heartbeat",
                                r -> {
                                    c.heartbeat(r.body(Heartbeat.class));
                                    return null;
                                })
                        .route("GET", "/v1/hosts", r -> c.registry().hosts())
                        .route("GET", "/v1/hosts/{host}", r -> c.registry().host(r.param("host")))
                        .route("GET", "/v1/zones", r -> c.registry().zones())
                        .route(
                                "POST",
                                "/v1/zones",
                                change(
                                        c,
                                        r ->
                                                new Created(
                                                        c.zones()
                                                                .create(
                                                                        r.body(
                                                                                ZoneService
                                                                                        .CreateZone
                                                                                        .class)))))
                        .route("GET", "/v1/zones/{zone}", r -> c.registry().zone(r.param("zone")))
                        .route(
                                "GET",
                                "/v1/zones/{zone}/failures",
                                r -> {
                                    c.registry().zone(r.param("zone"));
                                    return c.registry().failures(r.param("zone"));
                                })
                        .route(
                                "DELETE",
                                "/v1/zones/{zone}",
                                change(
                                        c,
                                        r -> {
                                            c.zones().delete(r.param("zone"));
                                            return null;
                                        }))
                        .route(
                                "POST",
                                "/v1/zones/{zone}/migrate",
                                change(
                                        c,
                                        r -> {
                                            MigrateRequest m = r.body(MigrateRequest.class);
                                            return new Created(
                                                    PlanView.of(
                                                            c.plans()
                                                                    .submit(
                                                                            new PlanRequest(
                                                                                    m.algorithm(),
                                                                                    List.of(
                                                                                            new PlanRequest
                                                                                                    .Move(
                                                                                                    r
                                                                                                            .param(
                                                                                                                    "zone"),
                                                                                                    m
                                                                                                            .to())),
                                                                                    m.settings(),
                                                                                    0))));
                                        }))
                        .route(
                                "GET",
                                "/v1/plans",
                                r -> c.plans().plans().stream().map(PlanView::of).toList())
                        .route(
                                "POST",
                                "/v1/plans",
                                change(
                                        c,
                                        r ->
                                                new Created(
                                                        PlanView.of(
                                                                c.plans()
                                                                        .submit(
                                                                                r.body(
                                                                                        PlanRequest
                                                                                                .class))))))
                        .route(
                                "GET",
                                "/v1/plans/{id}",
                                r ->
                                        PlanView.of(
                                                c.plans()
                                                        .plan(id(r.param("id")))
                                                        .orElseThrow(
                                                                () ->
                                                                        ApiException.notFound(
                                                                                "unknown plan "
                                                                                        + r.param(
                                                                                                "id")))))
                        .route(
                                "POST",
                                "/v1/plans/{id}/cancel",
                                r -> PlanView.of(c.plans().cancel(id(r.param("id")))));
        dashboard = new Dashboard(c, Coordinator.httpAgents(token).apply(c.registry()));
        dashboard
                .register(
                        HibernationRoutes.register(
                                BalancingRoutes.register(
                                        StorageRoutes.register(
                                                ImageRoutes.register(
                                                        PolicyRoutes.register(http, c), c),
                                                c),
                                        c),
                                c))
                .start();
    }

    private static ClusterView view(Coordinator c) {
        return new ClusterView(
                c.registry().sites(),
                c.registry().links(),
                c.registry().hosts(),
                c.registry().zones());
    }

    private static long id(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("plan id must be a number, got '" + text + "'");
        }
    }

    public InetSocketAddress address() {
        return http.address();
    }

    @Override
    public void close() {
        http.close();
        dashboard.close();
    }

    /**
     * A route that changes the cluster: refused (503) while the coordinator is still settling what
     * its previous run left in flight, so nothing new starts on a registry not yet true.
     */
    static JsonHttpServer.Handler change(Coordinator c, JsonHttpServer.Handler h) {
        return r -> {
            c.requireReady();
            return h.handle(r);
        };
    }
}
