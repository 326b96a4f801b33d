package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/** A destination host of a one-to-many migration and how many zones it may receive. */
public record GroupingTarget(String id, int capacityZones) {
    public GroupingTarget {
        Objects.requireNonNull(id, "target id is null");
        if (id.isBlank()) {
            throw new InvalidInputException("target id is blank");
        }
        if (capacityZones < 0) {
            throw new InvalidInputException(
                    "capacity of target " + id + " must be >= 0 zones, got " + capacityZones);
        }
    }
}
