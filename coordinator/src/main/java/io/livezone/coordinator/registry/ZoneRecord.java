package io.livezone.coordinator.registry;

import io.livezone.core.cluster.ZoneDefinition;

/**
 * A zone the coordinator knows: its definition, the host that runs it, its lifecycle state.
 *
 * @param reason why the zone is in its state, when that needs saying (what killed a FAILED zone,
 *     why it is LOST, what its agent found after a restart); null otherwise. A change of state
 *     through {@link #in} or {@link #on} clears it.
 */
public record ZoneRecord(
        ZoneDefinition definition, String host, ZoneLifecycle state, String reason) {
    /** The zone life cycle of the zone migration paper, plus what can go wrong. */
    public enum ZoneLifecycle {
        HIBERNATING,
        STAGING,
        RUNNING,
        MIGRATING,
        /** Its host is down: the zone may still run there; an operator decides. */
        LOST,
        /** Its VM died (or a move left it not running at its source); see the reason. */
        FAILED
    }

    public ZoneRecord(ZoneDefinition definition, String host, ZoneLifecycle state) {
        this(definition, host, state, null);
    }

    public String name() {
        return definition.name();
    }

    public ZoneRecord on(String newHost, ZoneLifecycle newState) {
        return new ZoneRecord(definition, newHost, newState, null);
    }

    public ZoneRecord in(ZoneLifecycle newState) {
        return new ZoneRecord(definition, host, newState, null);
    }

    /** The same zone in {@code newState}, saying why. */
    public ZoneRecord because(ZoneLifecycle newState, String why) {
        return new ZoneRecord(definition, host, newState, why);
    }
}
