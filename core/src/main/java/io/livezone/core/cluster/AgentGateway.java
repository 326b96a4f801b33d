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
 *
 * <p>Hibernation: {@link #suspend} saves a zone to an image in its host's state folder; {@link
 * #restore} runs it again on the host that holds the image. To resume elsewhere the image travels
 * first: {@link #receiveHibernated} on the destination, {@link #sendHibernated} on the source, then
 * {@link #discardHibernated} on whichever host no longer needs its copy.
 */
public interface AgentGateway extends StorageGateway {
    List<ZoneStatus> zones();

    ZoneStatus start(ZoneDefinition zone);

    void stop(String zone);

    /**
     * Boots a zone whose VM died (its QEMU exited or hung, or the guest panicked) again on this
     * host, from its image and disk; refuses a zone whose VM is fine or that is in a move.
     */
    ZoneStatus restart(String zone);

    IncomingTicket prepareIncoming(IncomingRequest request);

    MigrationReport migrateOut(String zone, MigrateOutRequest request);

    /** The running migration's latest progress, if the zone is migrating out of this host. */
    Optional<MigrationProgress> progress(String zone);

    /** Asks a running outgoing migration to abort; the zone keeps running here. */
    void cancelMigration(String zone);

    ZoneStatus commitIncoming(String zone);

    /**
     * Destination half of a post-copy recovery: the arriving VM, whose post-copy paused (its stream
     * broke or stalled), listens for the source again; returns where the source resumes to. The VM
     * is never stopped or discarded here.
     */
    IncomingTicket recoverIncoming(String zone);

    /**
     * Source half of a post-copy recovery: the source, paused in post-copy, sends the rest of the
     * zone to the destination's recovery ticket; returns once the migration completed.
     */
    MigrationReport resumePostcopy(String zone, MigrateOutRequest request);

    void discardIncoming(String zone);

    /**
     * Ends this host's copy of {@code zone}: one that never ran (waiting, arrived, or failed before
     * it ran) is discarded with its disk; any other is stopped.
     */
    default void endCopy(String zone, boolean neverRan) {
        if (neverRan) {
            discardIncoming(zone);
        } else {
            stop(zone);
        }
    }

    void releaseMigrated(String zone);

    void resumeSource(String zone);

    /**
     * Saves a running zone (without disk) to an image in this host's state folder; its VM ends and
     * the zone stays known here as suspended.
     */
    ZoneStatus suspend(String zone);

    /** Runs a hibernated zone again from its image on this host (saved here or received). */
    ZoneStatus restore(ZoneDefinition zone);

    /** Opens a listener for a hibernated zone's image, sent from the host that holds it. */
    TransferTicket receiveHibernated(String zone);

    /** Pushes a hibernated zone's image to another host's receiver; returns once it has it. */
    StorageTransfer sendHibernated(String zone, HibernatedSend request);

    /** Forgets a hibernated zone here: deletes its image and its suspended state; never a VM. */
    void discardHibernated(String zone);
}
