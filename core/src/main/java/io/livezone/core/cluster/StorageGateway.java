package io.livezone.core.cluster;

/**
 * The storage half of what the coordinator asks of a host agent.
 *
 * <p>A zone with a local disk migrates as: {@link AgentGateway#prepareIncoming} on the destination
 * (it creates the disk: an overlay on its site's cached base, or blank), {@link #incomingDisk}
 * there for the export's ticket, {@link #mirrorDisk} on the source (returns once the copy is in
 * sync), then {@link AgentGateway#migrateOut}, which finishes the mirror in the switchover pause.
 * Base images reach a site by {@link #receiveBaseImage} on a host there and {@link #sendBaseImage}
 * on a host of a site that has them.
 */
public interface StorageGateway {
    /** Builds a base image with known content in this host's site cache. */
    BaseImageInfo createBaseImage(BaseImageSpec spec);

    /** Copies a base image from a file on this host's machine into its site cache. */
    BaseImageInfo importBaseImage(BaseImageImport request);

    /** Listens for a base image this host's site does not cache yet. */
    TransferTicket receiveBaseImage(BaseImageInfo image);

    /** Pushes a cached base image to a receiver; returns once the receiver has checked it. */
    StorageTransfer sendBaseImage(BaseImageSend request);

    /** The NBD export a zone arriving here with a local disk waits on. */
    DiskTicket incomingDisk(String zone);

    /** Starts mirroring a zone's disk to a destination; returns once the copy is in sync. */
    StorageTransfer mirrorDisk(String zone, DiskMirrorRequest request);

    /** What the last mirror of a zone that left this host moved, in total. */
    StorageTransfer outgoingDisk(String zone);

    /** Stops a zone's mirror (idempotent); the zone keeps its disk here. */
    void abortDiskMirror(String zone);

    /** Creates a zone's disk on this host and serves it over NBD (storage mode b). */
    RemoteDisk serveDisk(ServeDiskRequest request);

    /** Stops serving a zone's disk and deletes it (idempotent). */
    void stopServingDisk(String zone);

    /** Copies a zone's remote disk into a local image while it runs and switches to it. */
    StorageTransfer pullDisk(String zone);
}
