package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.List;

/**
 * The plan's zones wait on each other for memory in a cycle: each destination in the cycle is full
 * until another zone of the cycle has left it, and a zone leaves only when its migration completes.
 * No order of moves fixes that; it needs room: memory freed on one of the hosts, or one zone routed
 * through a spare host first.
 */
public final class PlanDeadlockException extends InvalidInputException {
    private final List<String> zones;

    PlanDeadlockException(String message, List<String> zones) {
        super(message);
        this.zones = List.copyOf(zones);
    }

    /** The zones of the cycle, each waiting for room the next one holds. */
    public List<String> zones() {
        return zones;
    }
}
