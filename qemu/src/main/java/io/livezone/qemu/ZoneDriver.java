package io.livezone.qemu;

import io.livezone.core.DiskDevice;
import io.livezone.core.MigrationListener;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;
import io.livezone.core.ZoneFailure;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneStats;
import io.livezone.core.ZoneStatus;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Runs zones on one host, the seam between a host agent and its VMs (cf. libvirt's driver API): the
 * zone's life on this host, the move between hosts as libvirt's Prepare → Perform → Finish →
 * Confirm handshake, the zone's disk as its VM sees it, and the looks a zone watch takes. QEMU is
 * the implementation today ({@link QemuZoneDriver}); another backend can sit behind the same
 * interface without the agent or the control plane noticing.
 *
 * <p>Operations on one zone never interleave; operations on different zones never wait for each
 * other.
 */
public interface ZoneDriver {
    // ---- a zone's life on this host ----

    ZoneStatus start(ZoneSpec spec);

    /** Waits until the zone's server is up. */
    void awaitReady(String zone, Duration timeout);

    /**
     * Stops the zone's VM and releases everything created for it. Unknown zone: {@link
     * io.livezone.core.ZoneNotFoundException}.
     */
    void stop(String zone);

    void pause(String zone);

    void resume(String zone);

    /** Hibernates: saves the whole VM to {@code file} and stops it. */
    void suspend(String zone, Path file);

    /** Resumes a zone this driver suspended, from the file it was saved to. */
    ZoneStatus restore(String zone);

    /** Brings a hibernated zone back from {@code file}, on this driver's host. */
    ZoneStatus restore(ZoneSpec spec, Path file);

    ZoneStatus status(String zone);

    /**
     * The zone's status from its record and process alone, without asking its monitor: for a zone
     * in a migration, whose monitor the migration holds (a second client would wait for it) and
     * whose main loop may be blocked on a post-copy page. A live VM is reported {@link
     * io.livezone.core.ZoneState#MIGRATING} (or {@code INCOMING} if it never ran).
     */
    ZoneStatus statusInMigration(String zone);

    ZoneStats stats(String zone);

    List<ZoneStatus> list();

    /** The zone as it was started or arrived here. */
    ZoneSpec spec(String zone);

    /** The zones this host knows, running or not, sorted. */
    List<String> zoneNames();

    /** The zone network's gateway: the default route every zone's guest is given. */
    Inet4Address networkGateway();

    /**
     * Live-migrates the zone to a fresh VM instance on this host; the zone keeps its MAC and IP.
     */
    MigrationReport migrateLocal(
            String zone, MigrationOptions options, SwitchoverHook hook, MigrationListener listener);

    // ---- the move between hosts ----

    /**
     * Prepare (destination): starts a paused VM for {@code spec} that waits for the migration
     * stream on the unix socket {@code socket}. It stays paused when the stream is complete, until
     * {@link #commitIncoming}.
     */
    IncomingMigration prepareIncoming(ZoneSpec spec, MigrationOptions options, Path socket);

    /**
     * Perform (source): migrates the zone's running VM to {@code uri}. On success the VM here is
     * stopped but kept until {@link #releaseMigrated} or {@link #resumeAfterFailedHandover}; on
     * failure the zone keeps running here. At the switchover pause {@code hold} runs first, then
     * the source's network goes down, then {@code hook}.
     */
    MigrationReport migrateOut(
            String zone,
            String uri,
            MigrationOptions options,
            SwitchoverHook hold,
            SwitchoverHook hook,
            MigrationListener listener,
            BooleanSupplier cancelled);

    /**
     * A new watcher for the destination half of a post-copy whose agent restarted, so that it can
     * be recovered ({@link IncomingMigration#recover}).
     */
    IncomingMigration reattachIncoming(String zone);

    /**
     * Resumes a post-copy paused at this source to {@code uri} (the destination's recovery
     * address); returns once it completed. Throws a recoverable {@link
     * PostcopyInterruptedException} if the new stream fails too.
     */
    MigrationReport resumePostcopyOut(
            String zone, String uri, MigrationListener listener, Duration postcopyStall);

    /**
     * Finish (destination): continues the arrived VM once its stream is complete and confirms it
     * still runs {@code grace} after its resume. Returns when it resumed (QEMU's clock).
     */
    Instant commitIncoming(IncomingMigration incoming, Duration timeout, Duration grace);

    /** Drops a zone that was arriving here and never ran. */
    void discardIncoming(String zone);

    /** Confirm (source): the zone runs elsewhere; ends its stopped VM here. */
    void releaseMigrated(String zone);

    /** Rolls back (source): runs again a source whose destination is known never to have run. */
    void resumeAfterFailedHandover(String zone);

    // ---- the zone's disk, as its VM has it ----

    Optional<DiskDevice> disk(String zone);

    /** Records that the zone's running VM now has its disk attached as {@code device}. */
    void updateDisk(String zone, DiskDevice device);

    /** The storage monitor of the zone's running VM (a zone with a disk only). */
    Path storageMonitor(String zone);

    /** The storage monitor of the VM the zone is arriving in. */
    Path incomingStorageMonitor(String zone);

    // ---- health ----

    /** One look at the zone's active VM for a zone watch. */
    VmCheck check(String zone, Duration monitorTimeout);

    /** What an operator needs to know of an instance that died. */
    ZoneFailure describeFailure(String zone, String instance, String reason, long atMillis);

    /** Boots a zone whose VM died again, from its image and disk. */
    ZoneStatus restartFailed(String zone);
}
