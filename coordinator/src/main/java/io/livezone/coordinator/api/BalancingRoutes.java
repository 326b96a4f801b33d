package io.livezone.coordinator.api;

import io.livezone.coordinator.Coordinator;
import io.livezone.core.cluster.ConductorStatus;
import io.livezone.core.http.JsonHttpServer;

import java.util.Map;

/**
 * Load balancing and monitoring routes: the conductors' status ({@code POST
 * /v1/agents/{host}/conductor} from each agent, {@code GET /v1/balancing} for operators) and the
 * Prometheus metrics ({@code GET /metrics}, no token, like a node exporter on a private network).
 */
final class BalancingRoutes {
    private BalancingRoutes() {}

    static JsonHttpServer register(JsonHttpServer http, Coordinator c) {
        return http.route(
                        "POST",
                        "/v1/agents/{host}/conductor",
                        r -> {
                            c.conductors()
                                    .record(
                                            r.param("host"),
                                            r.body(ConductorStatus.class),
                                            System.currentTimeMillis());
                            return null;
                        })
                .route(
                        "GET",
                        "/v1/balancing",
                        r ->
                                Map.of(
                                        "conductors",
                                        c.conductors().entries(System.currentTimeMillis())))
                .openRoute(
                        "GET",
                        "/metrics",
                        (JsonHttpServer.RawHandler) (r, exchange) -> c.metrics().serve(exchange));
    }
}
