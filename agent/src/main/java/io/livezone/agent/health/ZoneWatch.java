package io.livezone.agent.health;

import io.livezone.core.ZoneFailure;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.http.ApiException;
import io.livezone.qemu.OrphanDecision;
import io.livezone.qemu.RecoveredVm;
import io.livezone.qemu.VmCheck;
import io.livezone.qemu.ZoneDriver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Watches every zone this host runs (see the package documentation): about once a second it looks
 * at each zone's active VM and keeps what it found, so the heartbeat can carry it without waiting
 * for any monitor. A death is logged once, with what QEMU printed and the console's last lines, and
 * reported until the zone is restarted or removed.
 */
public final class ZoneWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZoneWatch.class);

    /** The monitor is asked this long per look; QEMU answers a free monitor in milliseconds. */
    public static final Duration MONITOR_TIMEOUT = Duration.ofSeconds(2);

    private final String host;
    private final ZoneDriver driver;
    private final Predicate<String> moving;
    private final Duration period;
    private final Duration monitorTimeout;
    private final int maxMisses;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    private final Map<String, RecoveredVm> recovered = new ConcurrentHashMap<>();
    private volatile List<ZoneStatus> latest = List.of();
    private volatile Thread thread;

    /** What the watch knows of one zone's active instance. */
    private record Watched(String instance, int misses, ZoneStatus last, ZoneFailure failure) {}

    /**
     * @param moving true for a zone in a move (migrating out or in, its disk mirrored or pulled,
     *     its migrated VM being released): its monitor belongs to the move
     * @param recoveredAtStart what the agent's start-up found and did with the VMs it inherited;
     *     their notes are reported while the same instance holds the zone
     * @param monitorTimeout how long one look waits for the monitor ({@link #MONITOR_TIMEOUT})
     * @param maxMisses unanswered looks in a row that make a running QEMU "hung"
     */
    public ZoneWatch(
            String host,
            ZoneDriver driver,
            Predicate<String> moving,
            List<RecoveredVm> recoveredAtStart,
            Duration period,
            Duration monitorTimeout,
            int maxMisses) {
        this.host = host;
        this.driver = driver;
        this.moving = moving;
        this.period = period;
        this.monitorTimeout = monitorTimeout;
        this.maxMisses = maxMisses;
        recoveredAtStart.forEach(r -> recovered.put(r.zone(), r));
    }

    /** Starts looking every period on a thread of its own. */
    public ZoneWatch start() {
        thread =
                Thread.ofVirtual()
                        .name("zone-watch")
                        .start(
                                () -> {
                                    while (!Thread.currentThread().isInterrupted()) {
                                        try {
                                            lookOnce();
                                            Thread.sleep(period.toMillis());
                                        } catch (InterruptedException e) {
                                            return;
                                        } catch (RuntimeException e) {
                                            log.warn("zone watch round failed: {}", e.toString());
                                        }
                                    }
                                });
        return this;
    }

    /** One round over every zone of the host. */
    public void lookOnce() {
        List<String> zones = driver.zoneNames();
        watched.keySet().retainAll(zones);
        recovered.keySet().retainAll(zones);
        List<ZoneStatus> seen = new ArrayList<>();
        for (String zone : zones) {
            try {
                look(zone).ifPresent(seen::add);
            } catch (RuntimeException e) {
                // E.g. the zone was deleted while we looked.
                log.debug("zone {}: look failed: {}", zone, e.toString());
            }
        }
        latest = List.copyOf(seen);
    }

    private Optional<ZoneStatus> look(String zone) {
        if (moving.test(zone)) {
            watched.remove(zone);
            return Optional.empty();
        }
        VmCheck check = driver.check(zone, monitorTimeout);
        if (moving.test(zone)) {
            watched.remove(zone); // the move began while we looked: its monitor, its report
            return Optional.empty();
        }
        switch (check.presence()) {
            case GONE -> {
                watched.remove(zone);
                return Optional.empty();
            }
            case NOT_ACTIVE -> {
                watched.remove(zone);
                return Optional.of(annotate(driver.status(zone)));
            }
            case BUSY -> {
                // An operation holds it: what was seen last stands, and no miss is counted.
                return Optional.ofNullable(watched.get(zone)).map(Watched::last);
            }
            default -> {}
        }
        Watched before = watched.get(zone);
        if (before != null && !before.instance().equals(check.instance())) {
            before = null; // a new instance (a restart): judged afresh
        }
        Liveness.Verdict v = Liveness.judge(check, before == null ? 0 : before.misses(), maxMisses);
        if (v.state() == null) {
            watched.put(
                    zone,
                    new Watched(
                            check.instance(),
                            v.misses(),
                            before == null ? null : before.last(),
                            before == null ? null : before.failure()));
            return Optional.ofNullable(before == null ? null : before.last());
        }
        ZoneStatus status =
                new ZoneStatus(zone, v.state(), check.instance(), check.pid(), v.qemuStatus());
        ZoneFailure failure = null;
        if (v.dead()) {
            failure = before != null ? before.failure() : null;
            if (failure == null) {
                failure =
                        driver.describeFailure(
                                zone,
                                check.instance(),
                                v.deathReason(),
                                System.currentTimeMillis());
                log.error(
                        "zone {} died on {} (instance {}): {}; QEMU said: {}; console's last"
                                + " lines:\n{}",
                        zone,
                        host,
                        check.instance(),
                        failure.reason(),
                        failure.qemuOutput().isEmpty() ? "nothing" : failure.qemuOutput(),
                        failure.consoleTail());
            }
            status = status.withFailure(failure);
        } else if (before != null && before.failure() != null) {
            log.warn(
                    "zone {} on {} answers again ({}) after it was reported dead",
                    zone,
                    host,
                    v.qemuStatus());
        }
        status = annotate(status);
        watched.put(zone, new Watched(check.instance(), v.misses(), status, failure));
        return Optional.of(status);
    }

    /** What the watch saw last of every zone not in a move; the heartbeat carries it. */
    public List<ZoneStatus> latest() {
        return latest;
    }

    /** The failure of the zone's current active VM, if the watch judged it dead. */
    public Optional<ZoneFailure> failure(String zone) {
        return Optional.ofNullable(watched.get(zone)).map(Watched::failure);
    }

    /**
     * The driver's zone list with what the watch knows on top: a zone judged dead (also a hung or
     * panicked one the driver would call busy or paused) is DEAD with its failure, and a VM the
     * agent's start-up settled carries its note.
     */
    public List<ZoneStatus> overlay(List<ZoneStatus> statuses) {
        List<ZoneStatus> out = new ArrayList<>(statuses.size());
        for (ZoneStatus s : statuses) {
            Watched w = watched.get(s.zone());
            if (w != null && w.failure() != null && w.instance().equals(s.instance())) {
                s = s.withFailure(w.failure());
            }
            out.add(annotate(s));
        }
        return out;
    }

    /** Forgets a zone's verdicts (it was restarted, or removed). */
    public void forget(String zone) {
        watched.remove(zone);
        recovered.remove(zone);
    }

    /**
     * Adds the start-up note of the VM that still holds the zone. An orphaned arrival the driver
     * reports as INCOMING without asking QEMU gets the state its QEMU reported at start.
     */
    private ZoneStatus annotate(ZoneStatus s) {
        RecoveredVm r = recovered.get(s.zone());
        if (r == null || !r.instance().equals(s.instance())) {
            return s;
        }
        if (r.role() == OrphanDecision.Role.INCOMING
                && s.state() == ZoneState.INCOMING
                && r.report() != null
                && r.runState() != null) {
            boolean arrived =
                    r.report() == ZoneState.INCOMING && "completed".equals(r.migrationStatus());
            s = s.withState(r.report(), arrived ? ZoneStatus.ARRIVED : r.runState());
        }
        return r.note() == null ? s : s.withNote(r.note());
    }

    /**
     * Boots a zone this watch judged dead again (its process gone, hung, or the guest panicked),
     * from its image and disk, and waits for its server. Refuses a zone in a move or one whose VM
     * is fine.
     */
    public ZoneStatus restart(String zone, Duration bootTimeout) {
        if (moving.test(zone)) {
            throw ApiException.conflict("zone '" + zone + "' is in a move on " + host);
        }
        VmCheck check = driver.check(zone, monitorTimeout);
        if (check.presence() == VmCheck.Presence.GONE) {
            throw new io.livezone.core.ZoneNotFoundException(zone);
        }
        boolean dead =
                check.presence() == VmCheck.Presence.DEAD
                        || failure(zone)
                                .filter(f -> f.instance().equals(check.instance()))
                                .isPresent();
        if (!dead) {
            throw ApiException.conflict(
                    "zone '"
                            + zone
                            + "' is not dead on "
                            + host
                            + " ("
                            + check.presence().name().toLowerCase(java.util.Locale.ROOT)
                            + (check.runState() == null ? "" : ", " + check.runState())
                            + "); only a failed zone restarts");
        }
        log.info(
                "zone {}: restarting on {} after {}",
                zone,
                host,
                failure(zone).map(ZoneFailure::reason).orElse("its VM died"));
        driver.restartFailed(zone);
        forget(zone);
        driver.awaitReady(zone, bootTimeout);
        return driver.status(zone);
    }

    @Override
    public void close() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
