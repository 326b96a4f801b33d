package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where each zone goes and what it costs on the wire.
 *
 * @param method {@code greedy}, {@code random} or {@code exhaustive}
 * @param assignment zone id → target id, in the order zones were given
 * @param bytesPerTarget distinct non-zero blocks of the zones sent to each target × block size
 *     (targets that receive nothing are listed with 0), in the order targets were given
 * @param bytesOnWire sum of {@code bytesPerTarget}: identical blocks go once per target
 * @param bytesWithoutDedup sum over zones of their own distinct non-zero blocks × block size: what
 *     the same migration sends when nothing is shared across zones
 */
public record GroupingDecision(
        String method,
        Map<String, String> assignment,
        Map<String, Long> bytesPerTarget,
        long bytesOnWire,
        long bytesWithoutDedup) {
    public GroupingDecision {
        Objects.requireNonNull(method, "method is null");
        assignment =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(
                                Objects.requireNonNull(assignment, "assignment is null")));
        bytesPerTarget =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(
                                Objects.requireNonNull(bytesPerTarget, "bytesPerTarget is null")));
        long sum = bytesPerTarget.values().stream().mapToLong(Long::longValue).sum();
        if (sum != bytesOnWire || bytesOnWire < 0 || bytesOnWire > bytesWithoutDedup) {
            throw new InvalidInputException(
                    "need bytes on wire = sum per target ("
                            + sum
                            + ") and 0 <= bytes on wire <= bytes without dedup, got "
                            + bytesOnWire
                            + " and "
                            + bytesWithoutDedup);
        }
    }

    /** Share of the undeduplicated bytes that grouping saves, in [0, 1]. */
    public double savedFraction() {
        return bytesWithoutDedup == 0 ? 0 : 1.0 - (double) bytesOnWire / bytesWithoutDedup;
    }
}
