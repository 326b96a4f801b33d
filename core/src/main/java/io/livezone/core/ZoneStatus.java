package io.livezone.core;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where a zone is and in what state. {@code instance} names the QEMU instance that currently holds
 * it.
 */
public record ZoneStatus(
        String zone, ZoneState state, String instance, OptionalLong pid, String qemuStatus) {
    public ZoneStatus {
        Objects.requireNonNull(zone, "zone is null");
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(instance, "instance is null");
        Objects.requireNonNull(pid, "pid is null");
        Objects.requireNonNull(qemuStatus, "qemuStatus is null");
    }
}
