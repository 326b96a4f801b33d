package io.livezone.coordinator.api;

import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.http.JsonHttpServer;
import io.livezone.core.http.JsonHttpServer.Created;

/**
 * API routes for zone storage: base images ({@code GET/POST /v1/images}), the storage overview with
 * every transfer ({@code GET /v1/storage}), and pulling a remote disk to its zone's host ({@code
 * POST /v1/zones/{zone}/pull-disk}).
 */
final class StorageRoutes {
    private StorageRoutes() {}

    static JsonHttpServer register(JsonHttpServer http, Coordinator c) {
        StorageService storage = c.zones().storage();
        return http.route("GET", "/v1/images", r -> storage.images())
                .route(
                        "POST",
                        "/v1/images",
                        CoordinatorServer.change(
                                c,
                                r ->
                                        new Created(
                                                storage.createImage(
                                                        r.body(StorageService.CreateImage.class)))))
                .route("GET", "/v1/storage", r -> storage.view())
                .route(
                        "POST",
                        "/v1/zones/{zone}/pull-disk",
                        CoordinatorServer.change(c, r -> c.plans().pullDisk(r.param("zone"))));
    }
}
