package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.Objects;
import java.util.Optional;

/** One VM of a switched service; every state but {@code HIBERNATED} runs on a host. */
public record ServiceServer(String vmId, ServiceServerState state, Optional<String> hostId) {
    public ServiceServer {
        Ids.require(vmId, "VM id");
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(hostId, "hostId is null");
        if (state == ServiceServerState.HIBERNATED && hostId.isPresent()) {
            throw new InvalidInputException(
                    "VM " + vmId + " is hibernated but said to run on " + hostId.get());
        }
        if (state != ServiceServerState.HIBERNATED && hostId.isEmpty()) {
            throw new InvalidInputException("VM " + vmId + " is " + state + " but has no host");
        }
    }

    public static ServiceServer hibernated(String vmId) {
        return new ServiceServer(vmId, ServiceServerState.HIBERNATED, Optional.empty());
    }

    public static ServiceServer on(String vmId, ServiceServerState state, String hostId) {
        return new ServiceServer(vmId, state, Optional.of(hostId));
    }
}
