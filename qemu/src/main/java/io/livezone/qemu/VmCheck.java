package io.livezone.qemu;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One look at a zone's active QEMU instance, as QEMU itself answers: is the process there, and what
 * do its monitor's {@code query-status} and {@code query-migrate} say.
 *
 * @param instance the active instance, or null when the zone has none ({@link Presence#GONE},
 *     {@link Presence#NOT_ACTIVE})
 * @param runState QMP's run state when the monitor answered; null otherwise
 * @param migrationStatus QMP's migration status when the monitor answered ({@code none} if no
 *     migration ever ran); null otherwise
 * @param monitorProblem why the monitor did not answer (busy with another client, hung); null if it
 *     answered or was not asked
 * @param exitStatus the process's exit status, for {@link Presence#DEAD} when this process saw it
 */
public record VmCheck(
        String zone,
        Presence presence,
        String instance,
        OptionalLong pid,
        String runState,
        String migrationStatus,
        String monitorProblem,
        Optional<Integer> exitStatus) {

    public enum Presence {
        /** No such zone here (never was, or stopped, released or deleted). */
        GONE,
        /** Known here without an active VM: suspended, or arriving from another host. */
        NOT_ACTIVE,
        /** The active instance's process is gone. */
        DEAD,
        /** The active instance's process runs; see the run state. */
        ALIVE,
        /**
         * An operation on the zone (a stop, a suspend, a local migration) held it for longer than
         * the look may wait: not looked at this time, which says nothing about its health.
         */
        BUSY
    }

    /** A check that found no process to look at: nothing but the zone and why. */
    private static VmCheck withoutVm(String zone, Presence presence) {
        return new VmCheck(
                zone, presence, null, OptionalLong.empty(), null, null, null, Optional.empty());
    }

    static VmCheck gone(String zone) {
        return withoutVm(zone, Presence.GONE);
    }

    static VmCheck busy(String zone) {
        return withoutVm(zone, Presence.BUSY);
    }

    static VmCheck notActive(String zone) {
        return withoutVm(zone, Presence.NOT_ACTIVE);
    }

    public boolean monitorAnswered() {
        return runState != null;
    }
}
