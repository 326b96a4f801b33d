package io.livezone.policy;

/** Resume hibernated VM {@code vmId} on host {@code hostId} and put it in rotation. */
public record ServerResume(String vmId, String hostId) {
    public ServerResume {
        Ids.require(vmId, "VM id");
        Ids.require(hostId, "host id");
    }
}
