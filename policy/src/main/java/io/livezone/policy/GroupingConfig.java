package io.livezone.policy;

import io.livezone.core.InvalidInputException;

/**
 * Limits of the grouping policy. {@code maxExhaustiveAssignments} bounds the instances {@link
 * GroupingPolicy#exhaustive} accepts: targets^zones, the size of the unpruned search space, must
 * not exceed it (the search prunes, but the bound must hold before it starts).
 */
public record GroupingConfig(long maxExhaustiveAssignments) {
    /** 4 targets × 10 zones is 1,048,576; anything larger is not a "small instance". */
    public static final long DEFAULT_MAX_EXHAUSTIVE_ASSIGNMENTS = 2_000_000;

    public GroupingConfig {
        if (maxExhaustiveAssignments < 1) {
            throw new InvalidInputException(
                    "max exhaustive assignments must be >= 1, got " + maxExhaustiveAssignments);
        }
    }

    public static GroupingConfig defaults() {
        return new GroupingConfig(DEFAULT_MAX_EXHAUSTIVE_ASSIGNMENTS);
    }
}
