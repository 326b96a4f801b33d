package io.livezone.agent;

import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationProgress;
import io.livezone.core.cluster.SwitchoverGate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One outgoing migration's use of the players' gateway: hold at the switchover pause (before the
 * source's tap goes down, so every datagram the gateway sent before the hold queues at the source
 * and is covered by its replay), release to the destination's site as soon as QEMU reports the
 * hand-over, or back to the source when the migration fails. The gateway being unreachable never
 * stops a migration; a hold that ran into its limit before the point of no return aborts it.
 */
final class GatewayHold {
    private static final Logger log = LoggerFactory.getLogger(GatewayHold.class);

    private final SwitchoverGate gate;
    private final String zone;
    private final String destinationSite;
    private final AtomicBoolean held = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();

    GatewayHold(SwitchoverGate gate, String zone, String destinationSite) {
        this.gate = gate;
        this.zone = zone;
        this.destinationSite = destinationSite;
    }

    /** At the switchover pause, first thing. */
    void hold() {
        try {
            held.set(gate.hold(zone));
            if (!held.get()) {
                log.info("zone {}: the gateway does not serve it; nothing to hold", zone);
            }
        } catch (RuntimeException e) {
            log.warn("zone {}: no gateway hold ({}); migrating without", zone, e.getMessage());
        }
    }

    /** Last thing before the point of no return: aborts when the hold ran into its limit. */
    void checkLimit() {
        if (!held.get()) {
            return;
        }
        boolean abort;
        try {
            abort = gate.abortRequired(zone);
        } catch (RuntimeException e) {
            log.warn("zone {}: cannot ask the gateway about the hold: {}", zone, e.getMessage());
            return;
        }
        if (abort) {
            throw new MigrationFailedException(
                    "the players' gateway held zone '"
                            + zone
                            + "' longer than it may (expired or full): migration aborted",
                    true,
                    null);
        }
    }

    /** Progress listener: the hand-over releases the hold to the destination. */
    void onProgress(MigrationProgress p) {
        if (p.handedOver()) {
            released();
        }
    }

    /** The migration completed (if the progress report did not already release). */
    void released() {
        if (held.get() && ended.compareAndSet(false, true)) {
            try {
                gate.release(zone, destinationSite);
            } catch (RuntimeException e) {
                log.warn("zone {}: gateway release failed: {}", zone, e.getMessage());
            }
        }
    }

    /** The migration failed before the hand-over: the source runs again. */
    void aborted() {
        if (held.get() && ended.compareAndSet(false, true)) {
            try {
                gate.abort(zone);
            } catch (RuntimeException e) {
                log.warn("zone {}: gateway abort failed: {}", zone, e.getMessage());
            }
        }
    }
}
