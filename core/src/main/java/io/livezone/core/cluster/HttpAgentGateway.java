package io.livezone.core.cluster;

import com.fasterxml.jackson.databind.JavaType;

import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.ZoneStatus;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.http.JsonHttpServer;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@link AgentGateway} over the agent's HTTP API (paths under /v1/). */
public final class HttpAgentGateway implements AgentGateway {
    /** A migration may legitimately run for many minutes over a slow emulated link. */
    private static final Duration LONG = Duration.ofMinutes(30);

    private static final JavaType STATUS_LIST =
            JsonHttpServer.JSON
                    .getTypeFactory()
                    .constructCollectionType(List.class, ZoneStatus.class);

    private final JsonHttpClient http;

    public HttpAgentGateway(URI base, String token) {
        this.http = new JsonHttpClient(base, token);
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
        return http.post("/v1/zones/" + zone + "/migrate", request, MigrationReport.class, LONG);
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
    public TransferTicket receiveBaseImage(BaseImageInfo image) {
        return http.post("/v1/images/incoming", image, TransferTicket.class, Duration.ofMinutes(1));
    }

    @Override
    public StorageTransfer sendBaseImage(BaseImageSend request) {
        return http.post("/v1/images/send", request, StorageTransfer.class, LONG);
    }

    @Override
    public DiskTicket incomingDisk(String zone) {
        return http.get("/v1/incoming/" + zone + "/disk", DiskTicket.class);
    }

    @Override
    public StorageTransfer mirrorDisk(String zone, DiskMirrorRequest request) {
        return http.post(
                "/v1/zones/" + zone + "/disk/mirror", request, StorageTransfer.class, LONG);
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
        return http.post("/v1/zones/" + zone + "/disk/pull", null, StorageTransfer.class, LONG);
    }

    @Override
    public ZoneStatus suspend(String zone) {
        return http.post(
                "/v1/zones/" + zone + "/suspend", null, ZoneStatus.class, Duration.ofMinutes(10));
    }

    @Override
    public ZoneStatus restore(ZoneDefinition zone) {
        return http.post(
                "/v1/zones/" + zone.name() + "/restore",
                zone,
                ZoneStatus.class,
                Duration.ofMinutes(10));
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
        return http.post("/v1/hibernated/" + zone + "/send", request, StorageTransfer.class, LONG);
    }

    @Override
    public void discardHibernated(String zone) {
        http.delete("/v1/hibernated/" + zone, Duration.ofMinutes(1));
    }
}
