package io.livezone.gateway;

import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationListener;
import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One live migration of a zone with the gateway in front of it: the migration's switchover hook is
 * the gateway's hold, the hold is released to the destination as soon as the source has handed
 * over, and back to the source if the migration is aborted. The migration itself is whatever runs
 * it ({@link Migration}, e.g. the QEMU driver's {@code migrateLocal}), so the gateway needs no
 * QEMU.
 *
 * <pre>{@code
 * MigrationReport report =
 *         new GatewayedMigration(gateway, "z1", destination)
 *                 .run((hook, listener) -> driver.migrateLocal("z1", options, hook, listener));
 * }</pre>
 *
 * <h2>When the hold begins and ends</h2>
 *
 * The hook runs at QEMU's pause-before-switchover: the source is stopped and nothing has been
 * decided yet. It starts the hold, runs any further switchover work ({@link #alsoAtSwitchover}),
 * and then, if the hold has run into a limit in the meantime (expired or overflowed), throws {@link
 * HoldLimitException}: the migration is aborted and the source resumes. This is the last moment an
 * abort is safe; once the hook returns, QEMU sends the device state and the destination starts, so
 * a hold that runs into a limit later is reported ({@link HoldHandle#problem()}) and released to
 * the destination as usual.
 *
 * <p>The release to the destination happens on the migration's first progress report saying {@code
 * completed} (or {@code postcopy-active}): the source has handed over and will never run again, and
 * the driver reports it right after the destination's RESUME, before it spends time tearing the
 * source down. Whatever the gateway sends before the destination runs waits in its network queue.
 * If the migration fails instead, the hold is released back to the zone's location at the
 * switchover (the source), and the failure is rethrown.
 *
 * <p>Use each instance for one migration.
 */
public final class GatewayedMigration {
    private static final Logger log = LoggerFactory.getLogger(GatewayedMigration.class);

    /** Runs the migration with the given hook and listener; returns when it completed. */
    @FunctionalInterface
    public interface Migration {
        MigrationReport run(SwitchoverHook hook, MigrationListener listener);
    }

    private final Gateway gateway;
    private final String zone;
    private final ZoneLocation destination;
    private final GatewaySwitchover.ZoneSwitchover switchover;
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean used = new AtomicBoolean();
    private SwitchoverHook next = SwitchoverHook.NONE;
    private MigrationListener progress = MigrationListener.NONE;
    private volatile boolean releasedAtHandover;

    /**
     * @param destination where the zone runs after the migration (address and site)
     */
    public GatewayedMigration(Gateway gateway, String zone, ZoneLocation destination) {
        this.gateway = Objects.requireNonNull(gateway, "gateway is null");
        this.zone = Objects.requireNonNull(zone, "zone is null");
        this.destination = Objects.requireNonNull(destination, "destination is null");
        this.switchover = new GatewaySwitchover(gateway).hookFor(zone);
    }

    /**
     * Further work for the switchover, run by the hook after the hold began (other components'
     * switchover steps). It counts against the hold: if the hold expires meanwhile, the migration
     * is aborted.
     */
    public GatewayedMigration alsoAtSwitchover(SwitchoverHook hook) {
        this.next = Objects.requireNonNull(hook, "hook is null");
        return this;
    }

    /** Also receives the migration's progress. */
    public GatewayedMigration listener(MigrationListener listener) {
        this.progress = Objects.requireNonNull(listener, "listener is null");
        return this;
    }

    /**
     * Runs the migration. On success the gateway routes the zone to the destination and has
     * forwarded everything it held; on failure it routes it back to the source, has forwarded
     * everything there, and the failure is rethrown.
     *
     * @throws MigrationFailedException when the migration did not complete (its cause is a {@link
     *     HoldLimitException} when the gateway's hold asked for the abort)
     * @throws IllegalStateException when this instance was already used
     */
    public MigrationReport run(Migration migration) {
        Objects.requireNonNull(migration, "migration is null");
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("a GatewayedMigration runs one migration only");
        }
        MigrationReport report;
        try {
            report = migration.run(this::atSwitchover, this::onProgress);
        } catch (RuntimeException e) {
            if (released.get()) {
                log.warn(
                        "zone {}: migration failed after the hand-over ({}); traffic stays routed"
                                + " to the destination",
                        zone,
                        e.getMessage());
            } else {
                switchover.aborted();
            }
            throw e;
        }
        release();
        hold().flatMap(HoldHandle::problem)
                .ifPresent(
                        problem ->
                                log.warn(
                                        "zone {}: the hold {} after the point of no return;"
                                                + " released to the destination ({})",
                                        zone,
                                        problem == HoldProblem.EXPIRED ? "expired" : "overflowed",
                                        hold().orElseThrow()));
        return report;
    }

    /** The switchover's hold, once the hook ran. */
    public Optional<HoldHandle> hold() {
        return switchover.handle();
    }

    /**
     * True when the hold was released at the migration's hand-over report (right after the
     * destination's RESUME) rather than when the migration call returned.
     */
    public boolean releasedAtHandover() {
        return releasedAtHandover;
    }

    private void atSwitchover(String migratingZone) throws Exception {
        switchover.atSwitchover(migratingZone);
        next.atSwitchover(migratingZone);
        HoldHandle hold = switchover.handle().orElseThrow();
        if (hold.abortRequired()) {
            throw new HoldLimitException(hold, gateway.config());
        }
    }

    private void onProgress(MigrationProgress p) {
        // Only once the hook held: without a pause before the switchover there is nothing to
        // release early, and run() re-targets when the migration returns.
        if (p.handedOver() && switchover.handle().isPresent()) {
            releasedAtHandover |= release();
        }
        progress.onProgress(p);
    }

    private boolean release() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        switchover.resumed(destination);
        return true;
    }
}
