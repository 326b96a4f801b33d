package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link ServerSwitchingPolicy} decides on for one service: its VMs (in rotation and
 * hibernated), recent CPU samples, the hosts' loads, and since when the set of active VMs has been
 * unchanged.
 */
public record ServiceLoadView(
        Instant now,
        List<ServiceServer> servers,
        List<CpuSample> samples,
        List<HostCpu> hosts,
        Instant stableSince) {
    public ServiceLoadView {
        Objects.requireNonNull(now, "now is null");
        servers = List.copyOf(Objects.requireNonNull(servers, "servers is null"));
        samples = List.copyOf(Objects.requireNonNull(samples, "samples is null"));
        hosts = List.copyOf(Objects.requireNonNull(hosts, "hosts is null"));
        Objects.requireNonNull(stableSince, "stableSince is null");
        Set<String> vmIds = new HashSet<>();
        for (ServiceServer server : servers) {
            if (!vmIds.add(server.vmId())) {
                throw new InvalidInputException("VM " + server.vmId() + " is listed twice");
            }
        }
        Set<String> hostIds = new HashSet<>();
        for (HostCpu host : hosts) {
            if (!hostIds.add(host.hostId())) {
                throw new InvalidInputException("host " + host.hostId() + " is listed twice");
            }
        }
    }
}
