package io.livezone.coordinator.registry;

import io.livezone.core.cluster.ZoneDefinition;

/** A zone the coordinator knows: its definition, the host that runs it, its lifecycle state. */
public record ZoneRecord(ZoneDefinition definition, String host, ZoneLifecycle state) {
    /** The zone life cycle of the zone migration paper, plus what can go wrong. */
    public enum ZoneLifecycle {
        HIBERNATING,
        STAGING,
        RUNNING,
        MIGRATING,
        /** Its host is down: the zone may still run there; an operator decides. */
        LOST,
        FAILED
    }

    public String name() {
        return definition.name();
    }

    public ZoneRecord on(String newHost, ZoneLifecycle newState) {
        return new ZoneRecord(definition, newHost, newState);
    }

    public ZoneRecord in(ZoneLifecycle newState) {
        return new ZoneRecord(definition, host, newState);
    }
}
