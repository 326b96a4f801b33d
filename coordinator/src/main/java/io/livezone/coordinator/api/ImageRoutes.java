package io.livezone.coordinator.api;

import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.image.ZoneImageService;
import io.livezone.core.http.JsonHttpServer;
import io.livezone.core.http.JsonHttpServer.Created;

/**
 * API routes for zone images: {@code GET/POST /v1/zone-images} (list, register one built on this
 * machine) and {@code GET/DELETE /v1/zone-images/{name}}.
 */
final class ImageRoutes {
    private ImageRoutes() {}

    static JsonHttpServer register(JsonHttpServer http, Coordinator c) {
        ZoneImageService images = c.zones().images();
        return http.route("GET", "/v1/zone-images", r -> images.list())
                .route("GET", "/v1/zone-images/{name}", r -> images.get(r.param("name")))
                .route(
                        "POST",
                        "/v1/zone-images",
                        CoordinatorServer.change(
                                c,
                                r ->
                                        new Created(
                                                images.register(
                                                        r.body(
                                                                ZoneImageService.RegisterImage
                                                                        .class)))))
                .route(
                        "DELETE",
                        "/v1/zone-images/{name}",
                        CoordinatorServer.change(
                                c,
                                r -> {
                                    images.delete(r.param("name"));
                                    return null;
                                }));
    }
}
