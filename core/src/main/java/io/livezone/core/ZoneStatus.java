package io.livezone.core;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where a zone is and in what state. {@code instance} names the QEMU instance that currently holds
 * it.
 *
 * @param failure how the zone died, when {@code state} is {@link ZoneState#DEAD} and the host's
 *     zone watch has judged it; null otherwise
 * @param note what the agent found or did that the state alone does not say (e.g. an orphaned
 *     migration it cancelled at start, or a VM it leaves paused for the coordinator); null if
 *     nothing
 */
public record ZoneStatus(
        String zone,
        ZoneState state,
        String instance,
        OptionalLong pid,
        String qemuStatus,
        ZoneFailure failure,
        String note) {
    /**
     * {@link #qemuStatus} of an {@link ZoneState#INCOMING} copy whose stream completed: it holds
     * the whole zone, paused, and has never run.
     */
    public static final String ARRIVED = "arrived, paused";

    /**
     * {@link #qemuStatus} of a {@link ZoneState#PAUSED} copy whose incoming stream completed and
     * whose run state is {@code paused} (not a source's {@code postmigrate}): a destination its
     * agent marked to run, whose continue may never have come (the agent died in between). It holds
     * the whole zone, and may have run.
     */
    public static final String ARRIVED_MARKED = "paused; migration completed";

    public ZoneStatus {
        Objects.requireNonNull(zone, "zone is null");
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(instance, "instance is null");
        Objects.requireNonNull(pid, "pid is null");
        Objects.requireNonNull(qemuStatus, "qemuStatus is null");
    }

    public ZoneStatus(
            String zone, ZoneState state, String instance, OptionalLong pid, String qemuStatus) {
        this(zone, state, instance, pid, qemuStatus, null, null);
    }

    /** A copy that never ran here: an arriving VM, waiting or arrived, or failed before it ran. */
    public boolean neverRan() {
        return state == ZoneState.INCOMING || state == ZoneState.ARRIVAL_FAILED;
    }

    public ZoneStatus withFailure(ZoneFailure f) {
        return new ZoneStatus(zone, ZoneState.DEAD, instance, pid, qemuStatus, f, note);
    }

    public ZoneStatus withState(ZoneState s, String newQemuStatus) {
        return new ZoneStatus(zone, s, instance, pid, newQemuStatus, failure, note);
    }

    public ZoneStatus withNote(String n) {
        return new ZoneStatus(zone, state, instance, pid, qemuStatus, failure, n);
    }
}
