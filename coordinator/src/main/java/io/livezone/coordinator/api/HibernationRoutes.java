package io.livezone.coordinator.api;

import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.hibernation.HibernationService;
import io.livezone.core.http.JsonHttpServer;

/**
 * API routes for hibernation: {@code POST /v1/zones/{zone}/suspend}, {@code POST
 * /v1/zones/{zone}/resume} (optionally on another host), and {@code POST /v1/matches}, which wakes
 * a hibernating zone on the host EquiPing picks for its players.
 */
final class HibernationRoutes {
    private HibernationRoutes() {}

    static JsonHttpServer register(JsonHttpServer http, Coordinator c) {
        HibernationService hibernation =
                new HibernationService(
                        c.registry(), c.zones()::agent, c.plans(), c.zones().storage());
        return http.route(
                        "POST",
                        "/v1/zones/{zone}/suspend",
                        CoordinatorServer.change(c, r -> hibernation.suspend(r.param("zone"))))
                .route(
                        "POST",
                        "/v1/zones/{zone}/resume",
                        CoordinatorServer.change(
                                c,
                                r ->
                                        hibernation.resume(
                                                r.param("zone"),
                                                r.body().length == 0
                                                        ? null
                                                        : r.body(
                                                                HibernationService.ResumeRequest
                                                                        .class))))
                .route(
                        "POST",
                        "/v1/matches",
                        CoordinatorServer.change(
                                c,
                                r ->
                                        hibernation.match(
                                                r.body(HibernationService.MatchRequest.class))));
    }
}
