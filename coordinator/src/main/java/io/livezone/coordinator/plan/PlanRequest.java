package io.livezone.coordinator.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.MigrationSettings;

import java.util.List;

/**
 * What an operator asks for: zones to move and how to schedule the moves.
 *
 * @param settings migration knobs for every move (null: defaults)
 * @param timeoutSeconds the whole plan's deadline (0: none); moves not started by then are
 *     cancelled and running ones aborted
 */
public record PlanRequest(
        String algorithm, List<Move> moves, MigrationSettings settings, long timeoutSeconds) {
    /** One zone to move to a host. */
    public record Move(String zone, String to) {
        public Move {
            if (zone == null || to == null) {
                throw new InvalidInputException(
                        "each move needs a zone and a destination host ('to')");
            }
        }
    }

    public PlanRequest {
        if (algorithm == null) {
            algorithm = "auto";
        }
        if (moves == null || moves.isEmpty()) {
            throw new InvalidInputException("a plan needs at least one move");
        }
        moves = List.copyOf(moves);
        if (settings == null) {
            settings = MigrationSettings.DEFAULT;
        }
        if (timeoutSeconds < 0) {
            throw new InvalidInputException("timeoutSeconds must not be negative");
        }
    }

    /**
     * From JSON: only {@code moves} is required; a missing algorithm, settings or timeout takes its
     * default.
     */
    @JsonCreator
    static PlanRequest fromJson(
            @JsonProperty("algorithm") String algorithm,
            @JsonProperty("moves") List<Move> moves,
            @JsonProperty("settings") MigrationSettings settings,
            @JsonProperty("timeoutSeconds") Long timeoutSeconds) {
        return new PlanRequest(
                algorithm, moves, settings, timeoutSeconds == null ? 0 : timeoutSeconds);
    }
}
