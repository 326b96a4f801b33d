package io.livezone.policy;

import java.time.Instant;
import java.util.Objects;

/** Mean CPU of a service's active VMs measured at {@code at}. */
public record CpuSample(Instant at, double cpuPct) {
    public CpuSample {
        Objects.requireNonNull(at, "at is null");
        Percent.requireLoad(cpuPct, "CPU sample");
    }
}
