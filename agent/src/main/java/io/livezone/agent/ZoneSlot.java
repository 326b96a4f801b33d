package io.livezone.agent;

import io.livezone.core.MigrationProgress;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.qemu.IncomingMigration;

import java.util.concurrent.CompletableFuture;

/**
 * What the agent knows of one zone beyond what its driver knows of the VM: the move it is in
 * (leaving, with its progress and a cancel request, or arriving), its disk (attached, mirrored out,
 * the transfer that moved it, a pull), a release of its migrated VM under way, and a long operation
 * running on it (suspend, restore). One object per zone, every change under its monitor, so the
 * checks that decide whether an operation may start ("is it migrating? arriving? pulled?") are one
 * consistent look, not several maps read one after another.
 */
final class ZoneSlot {
    /**
     * A zone arriving here: its waiting VM, the TCP listener that feeds it, and its disk (with the
     * export a mirror fills, if the disk moves with the zone).
     */
    record Arrival(
            IncomingMigration migration,
            AutoCloseable listener,
            AttachedDisk disk,
            ArrivingDisk export) {}

    private Arrival arrival;
    private boolean leaving;
    private MigrationProgress progress;
    private boolean cancelRequested;
    private AttachedDisk disk;
    private DepartingDisk departing;
    private StorageTransfer departed;
    private boolean pulling;
    private CompletableFuture<Void> release;
    private String operation;

    /** In a move here: leaving or arriving, its disk mirrored or pulled, its old VM released. */
    synchronized boolean moving() {
        return leaving
                || arrival != null
                || departing != null
                || pulling
                || (release != null && !release.isDone());
    }

    /** {@link #moving}, or a long operation (suspend, restore) runs on it. */
    synchronized boolean busy() {
        return moving() || operation != null;
    }

    // ---- arriving ----

    synchronized Arrival arrival() {
        return arrival;
    }

    /** Records the arrival; false if one is already recorded. */
    synchronized boolean arrive(Arrival a) {
        if (arrival != null) {
            return false;
        }
        arrival = a;
        return true;
    }

    /**
     * The arrival fed by a new listener (a post-copy recovery's); the old one is closed. False if
     * nothing arrives.
     */
    synchronized boolean replaceListener(AutoCloseable listener) {
        if (arrival == null) {
            return false;
        }
        AutoCloseable old = arrival.listener();
        arrival = new Arrival(arrival.migration(), listener, arrival.disk(), arrival.export());
        try {
            old.close();
        } catch (Exception e) {
            // the old stream is gone either way
        }
        return true;
    }

    synchronized Arrival takeArrival() {
        Arrival a = arrival;
        arrival = null;
        return a;
    }

    // ---- leaving ----

    /** Marks the zone leaving; false if it already is, or a long operation runs on it. */
    synchronized boolean startLeaving() {
        if (leaving || operation != null) {
            return false;
        }
        leaving = true;
        return true;
    }

    synchronized void left() {
        leaving = false;
        progress = null;
        cancelRequested = false;
    }

    synchronized boolean leaving() {
        return leaving;
    }

    synchronized MigrationProgress progress() {
        return progress;
    }

    synchronized void progress(MigrationProgress p) {
        progress = p;
    }

    /** The disk mirror ended (in sync or not): its progress is no longer news. */
    synchronized void mirrorEnded() {
        progress = null;
        if (!leaving) {
            cancelRequested = false;
        }
    }

    synchronized boolean cancelRequested() {
        return cancelRequested;
    }

    /** Asks the outgoing migration or disk mirror to abort; false if neither runs. */
    synchronized boolean requestCancel() {
        if (!leaving && departing == null) {
            return false;
        }
        cancelRequested = true;
        return true;
    }

    // ---- disk ----

    synchronized AttachedDisk disk() {
        return disk;
    }

    synchronized void disk(AttachedDisk d) {
        disk = d;
    }

    synchronized AttachedDisk takeDisk() {
        AttachedDisk d = disk;
        disk = null;
        return d;
    }

    synchronized DepartingDisk departing() {
        return departing;
    }

    synchronized void departing(DepartingDisk mirror) {
        departing = mirror;
    }

    /** Forgets {@code mirror} if it is still this zone's; true if it was. */
    synchronized boolean dropDeparting(DepartingDisk mirror) {
        if (departing != mirror) {
            return false;
        }
        departing = null;
        return true;
    }

    synchronized DepartingDisk takeDeparting() {
        DepartingDisk m = departing;
        departing = null;
        return m;
    }

    synchronized StorageTransfer departed() {
        return departed;
    }

    synchronized void departed(StorageTransfer t) {
        departed = t;
    }

    /** Marks the disk being pulled here; false if the zone is leaving or already pulled. */
    synchronized boolean startPulling() {
        if (pulling || leaving || departing != null) {
            return false;
        }
        pulling = true;
        return true;
    }

    synchronized boolean pulling() {
        return pulling;
    }

    synchronized void pulled() {
        pulling = false;
    }

    // ---- release, long operations ----

    synchronized void releasing(CompletableFuture<Void> r) {
        release = r;
    }

    synchronized CompletableFuture<Void> takeRelease() {
        CompletableFuture<Void> r = release;
        release = null;
        return r;
    }

    /** Marks a long operation running; false (nothing changed) if the zone is busy. */
    synchronized boolean begin(String what) {
        if (busy()) {
            return false;
        }
        operation = what;
        return true;
    }

    synchronized void end() {
        operation = null;
    }
}
