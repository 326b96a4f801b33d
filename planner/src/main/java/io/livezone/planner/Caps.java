package io.livezone.planner;

import io.livezone.core.InvalidInputException;

/**
 * Operator limits every schedule honours, whatever it would prefer. 0 means no limit, in every
 * field: a limit of zero concurrent migrations could never finish a plan, so 0 is free to mean
 * "none", as QEMU's max-bandwidth 0 does.
 *
 * @param perHostOutbound most migrations a host sends at once
 * @param perHostInbound most migrations a host receives at once
 * @param perCluster most migrations running at once in the whole plan
 * @param maxBytesPerSecPerMove QEMU max-bandwidth applied to every migration
 */
public record Caps(
        int perHostOutbound, int perHostInbound, int perCluster, long maxBytesPerSecPerMove) {
    public static final Caps NONE = new Caps(0, 0, 0, 0);

    public Caps {
        if (perHostOutbound < 0 || perHostInbound < 0 || perCluster < 0) {
            throw new InvalidInputException(
                    "concurrency caps must be >= 0 (0 = no limit), got outbound "
                            + perHostOutbound
                            + ", inbound "
                            + perHostInbound
                            + ", cluster "
                            + perCluster);
        }
        if (maxBytesPerSecPerMove < 0) {
            throw new InvalidInputException(
                    "per-migration bandwidth cap must be >= 0 bytes/s (0 = none), got "
                            + maxBytesPerSecPerMove);
        }
    }
}
