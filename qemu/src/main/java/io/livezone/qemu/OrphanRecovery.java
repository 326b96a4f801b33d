package io.livezone.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.ZoneState;
import io.livezone.qemu.OrphanDecision.Action;
import io.livezone.qemu.OrphanDecision.Decision;
import io.livezone.qemu.OrphanDecision.Role;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * At an agent's start, settles every QEMU the previous agent process left: asks each zone's VM for
 * its run state and migration status and acts by {@link OrphanDecision}. An agent killed in a
 * migration's switchover pause leaves the source stopped with its tap down and a migration that
 * nobody will continue; this cancels it and, since the destination cannot have the zone's final
 * state, runs the zone here again.
 */
final class OrphanRecovery {
    private static final Logger log = LoggerFactory.getLogger(OrphanRecovery.class);
    private static final Duration MONITOR_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(15);

    private final QemuZoneDriver driver;

    OrphanRecovery(QemuZoneDriver driver) {
        this.driver = driver;
    }

    /** Settles every zone's VMs; returns what it found and did, one entry per zone. */
    List<RecoveredVm> run() {
        List<RecoveredVm> out = new ArrayList<>();
        for (String zone : driver.zoneNames()) {
            try {
                Optional<RecoveredVm> r = recover(zone);
                String strays = strays(zone);
                if (strays != null) {
                    log.warn("zone {}: {}", zone, strays);
                    r = Optional.of(withStrays(zone, r, strays));
                }
                r.ifPresent(out::add);
            } catch (RuntimeException e) {
                log.warn(
                        "zone {}: could not settle its VM after the restart: {}",
                        zone,
                        e.toString());
            }
        }
        return out;
    }

    /**
     * Live QEMU instances of the zone that its record names neither active nor arriving (e.g. a
     * previous agent died in the middle of replacing one): reported, never acted on; null if none.
     */
    private String strays(String zone) {
        ZoneRecord record = driver.findRecord(zone).orElse(null);
        if (record == null) {
            return null;
        }
        List<String> found = new ArrayList<>();
        try (var dirs = Files.list(driver.zoneFolder(zone))) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String id = d.getFileName().toString();
                if (id.equals(record.activeInstance()) || id.equals(record.incomingInstance())) {
                    continue;
                }
                QemuInstance vm = driver.instanceOf(record, id);
                if (vm.isAlive()) {
                    found.add(id + " (pid " + vm.pid().orElse(-1L) + ")");
                }
            }
        } catch (IOException e) {
            return null;
        }
        return found.isEmpty()
                ? null
                : "QEMU instance(s) "
                        + String.join(", ", found)
                        + " run but are not the zone's; left for an operator";
    }

    private RecoveredVm withStrays(String zone, Optional<RecoveredVm> r, String strays) {
        if (r.isPresent()) {
            RecoveredVm v = r.get();
            return new RecoveredVm(
                    v.zone(),
                    v.instance(),
                    v.role(),
                    v.runState(),
                    v.migrationStatus(),
                    v.action(),
                    v.report(),
                    join(v.note(), strays));
        }
        ZoneRecord record = driver.findRecord(zone).orElseThrow();
        boolean active = record.activeInstance() != null;
        String id =
                active
                        ? record.activeInstance()
                        : record.incomingInstance() != null ? record.incomingInstance() : "-";
        return new RecoveredVm(
                zone,
                id,
                active ? Role.ACTIVE : Role.INCOMING,
                null,
                null,
                Action.LEAVE,
                null,
                strays);
    }

    private Optional<RecoveredVm> recover(String zone) {
        ZoneRecord record = driver.findRecord(zone).orElse(null);
        if (record == null) {
            return Optional.empty();
        }
        String id =
                record.activeInstance() != null
                        ? record.activeInstance()
                        : record.incomingInstance();
        if (id == null) {
            return Optional.empty(); // suspended: no VM
        }
        Role role = record.activeInstance() != null ? Role.ACTIVE : Role.INCOMING;
        QemuInstance vm = driver.instanceOf(record, id);
        if (!vm.isAlive()) {
            return Optional.empty(); // the zone watch reports a dead active VM
        }
        try (QmpClient qmp = QmpClient.connect(vm.qmpSocket(), MONITOR_TIMEOUT)) {
            Seen seen = look(qmp);
            Decision d = OrphanDecision.decide(role, seen.runState(), seen.migration());
            String done = null;
            if (d.action() == Action.CANCEL_MIGRATION) {
                qmp.execute("migrate_cancel");
                String before = seen.migration();
                seen = awaitSettled(qmp);
                Decision after = OrphanDecision.decide(role, seen.runState(), seen.migration());
                if (after.action() == Action.CANCEL_MIGRATION) {
                    d =
                            new Decision(
                                    Action.LEAVE,
                                    ZoneState.MIGRATING,
                                    "outgoing migration ("
                                            + before
                                            + ") orphaned by the agent restart did not cancel"
                                            + " within "
                                            + CANCEL_TIMEOUT.toSeconds()
                                            + " s (now "
                                            + seen.migration()
                                            + "); left as it is");
                } else {
                    d = after;
                    done =
                            "cancelled an outgoing migration ("
                                    + before
                                    + ") orphaned by the agent restart";
                }
            }
            switch (d.action()) {
                case ENSURE_TAP_UP -> driver.network().setTapLink(vm.tap(), true);
                case RESUME -> {
                    driver.network().setTapLink(vm.tap(), true);
                    if (!"running".equals(seen.runState())) {
                        qmp.execute("cont");
                    }
                    seen = look(qmp);
                }
                default -> {}
            }
            if (role == Role.ACTIVE
                    && record.diskDevice() != null
                    && !seen.migration().startsWith("postcopy")
                    && vm.stopLeftoverDiskExport()) {
                // It arrived while no agent watched (a post-copy completes by itself): the
                // export its mirror wrote through is still there. Not during a post-copy, whose
                // main loop may wait for a page (its recovery removes the export).
                done = join(done, "removed the disk export its arrival left");
            }
            String note = join(done, d.note());
            if (d.action() == Action.RESUME || done != null) {
                note =
                        join(
                                note,
                                "run state "
                                        + seen.runState()
                                        + ", tap "
                                        + (driver.network().isTapUp(vm.tap()) ? "up" : "down"));
            }
            RecoveredVm r =
                    new RecoveredVm(
                            zone,
                            id,
                            role,
                            seen.runState(),
                            seen.migration(),
                            d.action(),
                            d.report(),
                            note);
            if (note != null) {
                log.warn(
                        "zone {} ({} instance {}): {}",
                        zone,
                        role.name().toLowerCase(java.util.Locale.ROOT),
                        id,
                        note);
            } else {
                log.info("zone {}: runs ({}), nothing to settle", zone, seen.runState());
            }
            return Optional.of(r);
        } catch (QmpException e) {
            String note =
                    "its monitor did not answer at agent start ("
                            + e.getMessage()
                            + "); left as it is";
            log.warn("zone {} (instance {}): {}", zone, id, note);
            return Optional.of(
                    new RecoveredVm(zone, id, role, null, null, Action.LEAVE, null, note));
        }
    }

    private record Seen(String runState, String migration) {}

    private static Seen look(QmpClient qmp) {
        String run = qmp.execute("query-status").path("status").asText("unknown");
        JsonNode m = qmp.execute("query-migrate");
        return new Seen(run, m.path("status").asText("none"));
    }

    /** Cancelling is asynchronous: wait until the migration has left its in-flight states. */
    private static Seen awaitSettled(QmpClient qmp) {
        long deadline = System.nanoTime() + CANCEL_TIMEOUT.toNanos();
        Seen seen = look(qmp);
        while (OrphanDecision.PRE_COPY_IN_FLIGHT.contains(seen.migration())
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            seen = look(qmp);
        }
        return seen;
    }

    private static String join(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + "; " + b;
    }
}
