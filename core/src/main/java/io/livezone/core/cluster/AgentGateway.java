package io.livezone.core.cluster;

import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.ZoneStatus;

import java.util.List;
import java.util.Optional;

/**
 * What the coordinator can ask of a host agent (cf. Flink's TaskExecutorGateway). A migration
 * between hosts is: {@link #prepareIncoming} on the destination, {@link #migrateOut} on the source,
 * {@link #commitIncoming} on the destination, then {@link #releaseMigrated} on the source; on
 * failure {@link #discardIncoming} and, if the source stopped, {@link #resumeSource}. Zone disks
 * add the steps of {@link StorageGateway}.
 */
public interface AgentGateway extends StorageGateway {
    List<ZoneStatus> zones();

    ZoneStatus start(ZoneDefinition zone);

    void stop(String zone);

    IncomingTicket prepareIncoming(IncomingRequest request);

    MigrationReport migrateOut(String zone, MigrateOutRequest request);

    /** The running migration's latest progress, if the zone is migrating out of this host. */
    Optional<MigrationProgress> progress(String zone);

    /** Asks a running outgoing migration to abort; the zone keeps running here. */
    void cancelMigration(String zone);

    ZoneStatus commitIncoming(String zone);

    void discardIncoming(String zone);

    void releaseMigrated(String zone);

    void resumeSource(String zone);
}
