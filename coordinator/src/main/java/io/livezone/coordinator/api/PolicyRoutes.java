package io.livezone.coordinator.api;

import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.policy.ClientLatencyTable;
import io.livezone.coordinator.policy.ZoneMappingSettings;
import io.livezone.core.http.JsonHttpServer;

import java.util.LinkedHashMap;
import java.util.Map;

/** API routes of the live policies and the client-latency feed they read. */
final class PolicyRoutes {
    private PolicyRoutes() {}

    static JsonHttpServer register(JsonHttpServer http, Coordinator c) {
        return http.route(
                        "POST",
                        "/v1/clients/rtt",
                        r -> {
                            long now = System.currentTimeMillis();
                            for (var s : r.body(ClientLatencyTable.Report.class).samples()) {
                                c.latencies().record(s, now);
                            }
                            return null;
                        })
                .route("GET", "/v1/policies", r -> policies(c))
                .route(
                        "PUT",
                        "/v1/policies/zone-mapping",
                        r -> {
                            c.zoneMapping().configure(r.body(ZoneMappingSettings.class));
                            return policies(c);
                        })
                .route(
                        "POST",
                        "/v1/policies/zone-mapping/run",
                        CoordinatorServer.change(
                                c, r -> c.zoneMapping().round(System.currentTimeMillis())));
    }

    private static Map<String, Object> policies(Coordinator c) {
        Map<String, Object> zm = new LinkedHashMap<>();
        zm.put("settings", c.zoneMapping().settings());
        zm.put("lastDecision", c.zoneMapping().last().orElse(null));
        zm.put("clientsReporting", c.latencies().size());
        return Map.of("zoneMapping", zm);
    }
}
