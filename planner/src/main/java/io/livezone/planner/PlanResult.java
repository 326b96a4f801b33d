package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A simulated execution of a plan under one policy.
 *
 * @param moves one timing per move, in plan order
 */
public record PlanResult(String policy, double makespanSeconds, List<MoveTiming> moves) {
    public PlanResult {
        moves = List.copyOf(moves);
    }

    public MoveTiming timing(String zone) {
        return moves.stream()
                .filter(t -> t.zone().equals(zone))
                .findFirst()
                .orElseThrow(() -> new InvalidInputException("no move of zone " + zone));
    }

    /** The most migrations that were running at the same moment, setup included. */
    public int maxConcurrent() {
        MoveTiming[] byStart = moves.toArray(MoveTiming[]::new);
        double[] ends = moves.stream().mapToDouble(MoveTiming::endSeconds).sorted().toArray();
        Arrays.sort(byStart, Comparator.comparingDouble(MoveTiming::startSeconds));
        int most = 0;
        int ended = 0;
        for (int i = 0; i < byStart.length; i++) {
            // A migration ending exactly when another starts does not overlap it.
            while (ended < ends.length && ends[ended] <= byStart[i].startSeconds()) {
                ended++;
            }
            most = Math.max(most, i + 1 - ended);
        }
        return most;
    }

    /** How many migrations auto-converge had to throttle. */
    public long throttledMoves() {
        return moves.stream().filter(t -> t.throttlePercent() > 0).count();
    }
}
