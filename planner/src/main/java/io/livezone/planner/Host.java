package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * A server that can run zones.
 *
 * @param site hosts in the same site reach each other through their NICs only; traffic to other
 *     sites also crosses a {@link SiteLink}
 * @param nicBytesPerSec full duplex: the host can send this much and receive this much at once,
 *     which is why a swap of two zones does not contend with itself
 * @param memoryBytes memory available to zones (not the machine's RAM: minus host overhead)
 */
public record Host(String id, String site, long nicBytesPerSec, long memoryBytes) {
    public Host {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(site, "site is null");
        if (id.isBlank()) {
            throw new InvalidInputException("host id is blank");
        }
        if (site.isBlank()) {
            throw new InvalidInputException("host " + id + ": site is blank");
        }
        if (nicBytesPerSec <= 0) {
            throw new InvalidInputException(
                    "host " + id + ": NIC bandwidth must be > 0 bytes/s, got " + nicBytesPerSec);
        }
        // 0 is allowed: a host being drained still sends zones but accepts none.
        if (memoryBytes < 0) {
            throw new InvalidInputException(
                    "host " + id + ": memory must be >= 0 bytes, got " + memoryBytes);
        }
    }
}
