package io.livezone.policy;

/** A host that could run a resumed VM, and its current CPU load. */
public record HostCpu(String hostId, double cpuPct) {
    public HostCpu {
        Ids.require(hostId, "host id");
        Percent.requireLoad(cpuPct, "host " + hostId + ": CPU load");
    }
}
