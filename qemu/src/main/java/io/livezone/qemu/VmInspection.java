package io.livezone.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.ZoneFailure;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpException;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Looks at a zone's active QEMU for a zone watch. Whether the zone and its active instance exist
 * and whether the process runs is read under the zone's lock in the driver: every deliberate end of
 * a VM (stop, suspend, release, a local migration's switch) happens under that lock and leaves the
 * zone's record changed, so a dead process seen with an unchanged record is a death, never a stop
 * in progress. The look waits for that lock no longer than the monitor timeout: an operation that
 * holds it longer makes the look {@link VmCheck.Presence#BUSY}, not a miss. The monitor is asked
 * outside the lock, with a short timeout: QEMU serves one monitor client at a time, and a monitor
 * that makes us wait is not a death.
 */
final class VmInspection {
    private static final int CONSOLE_LINES = 12;
    private static final int QEMU_OUTPUT_CHARS = 600;

    private final QemuZoneDriver driver;

    VmInspection(QemuZoneDriver driver) {
        this.driver = driver;
    }

    VmCheck check(String zone, Duration monitorTimeout) {
        record Look(VmCheck settled, QemuInstance instance) {}
        // Bounded: a suspend holds the zone for minutes, and one watch looks at every zone in turn.
        Optional<Look> held =
                driver.underLockWithin(
                        zone,
                        monitorTimeout,
                        () -> {
                            VmCheck settled = settled(zone, null);
                            return new Look(settled, settled == null ? active(zone) : null);
                        });
        if (held.isEmpty()) {
            return VmCheck.busy(zone);
        }
        Look look = held.get();
        if (look.settled() != null) {
            return look.settled();
        }
        QemuInstance instance = look.instance();
        OptionalLong pid = pid(instance);
        try (QmpClient qmp = QmpClient.connect(instance.qmpSocket(), monitorTimeout)) {
            JsonNode status = qmp.execute("query-status", null, monitorTimeout);
            JsonNode migration = qmp.execute("query-migrate", null, monitorTimeout);
            return new VmCheck(
                    zone,
                    VmCheck.Presence.ALIVE,
                    instance.id(),
                    pid,
                    status.path("status").asText("unknown"),
                    migration.path("status").asText("none"),
                    null,
                    Optional.empty());
        } catch (QmpException e) {
            // It may have died, or been stopped on purpose, while we waited for the monitor.
            Optional<VmCheck> after =
                    driver.underLockWithin(
                                    zone,
                                    monitorTimeout,
                                    () -> Optional.ofNullable(settled(zone, instance.id())))
                            .orElse(Optional.of(VmCheck.busy(zone)));
            if (after.isPresent()) {
                return after.get(); // ended, or an operation on it began while we waited
            }
            return new VmCheck(
                    zone,
                    VmCheck.Presence.ALIVE,
                    instance.id(),
                    pid,
                    null,
                    null,
                    String.valueOf(e.getMessage()),
                    Optional.empty());
        }
    }

    /**
     * The check's answer if it needs no monitor: the zone is gone, has no active VM, its active
     * instance is no longer {@code expected} (when given), or its process is dead. Null if the
     * process runs. Call under the zone's lock.
     */
    private VmCheck settled(String zone, String expected) {
        Optional<ZoneRecord> record = driver.findRecord(zone);
        if (record.isEmpty()) {
            return VmCheck.gone(zone);
        }
        String id = record.get().activeInstance();
        if (id == null) {
            return VmCheck.notActive(zone);
        }
        if (expected != null && !expected.equals(id)) {
            return VmCheck.gone(zone); // replaced meanwhile (a restart): the next look sees it
        }
        QemuInstance instance = driver.instanceOf(record.get(), id);
        if (instance.isAlive()) {
            return null;
        }
        return new VmCheck(
                zone,
                VmCheck.Presence.DEAD,
                id,
                pid(instance),
                null,
                null,
                null,
                instance.exitStatus());
    }

    private QemuInstance active(String zone) {
        ZoneRecord record = driver.findRecord(zone).orElseThrow();
        return driver.instanceOf(record, record.activeInstance());
    }

    /** What an operator needs to know about an instance that died: QEMU's words and the console. */
    ZoneFailure describe(String zone, String instanceId, String reason, long atMillis) {
        ZoneRecord record =
                driver.findRecord(zone)
                        .orElseThrow(() -> new io.livezone.core.ZoneNotFoundException(zone));
        QemuInstance instance = driver.instanceOf(record, instanceId);
        String output = instance.errorOutput();
        if (output.length() > QEMU_OUTPUT_CHARS) {
            output = "…" + output.substring(output.length() - QEMU_OUTPUT_CHARS);
        }
        return new ZoneFailure(
                zone,
                instanceId,
                atMillis,
                reason,
                instance.exitStatus().orElse(null),
                output,
                instance.consoleLastLines(CONSOLE_LINES));
    }

    private static OptionalLong pid(QemuInstance instance) {
        return instance.pid().map(OptionalLong::of).orElse(OptionalLong.empty());
    }
}
