package io.livezone.planner;

import java.util.Arrays;

/**
 * What a policy counts to decide which migrations may overlap: a set of units (a host, a NIC
 * direction, a link direction…), each with a limit, and the weight each move puts on the units it
 * uses. A move may start when every unit it uses is idle or still has room for its weight. Idle
 * units always admit, so a move heavier than a limit still runs, alone.
 *
 * <p>The sequential policy is "one per host" (limit 1, weight 1); the contention-aware one is "NIC
 * and link bandwidth" (limit ≈ capacity, weight = the move's rate); caps are counts. One mechanism
 * lets {@link ListSchedule} serve all policies with the same indexes.
 */
final class ConcurrencyUnits {
    private final int moves;
    private double[] limits = new double[16];
    private int unitCount;
    private int[] useMove = new int[16];
    private int[] useUnit = new int[16];
    private double[] useWeight = new double[16];
    private int uses;

    ConcurrencyUnits(int moves) {
        this.moves = moves;
    }

    /** Adds a unit; returns its id. */
    int addUnit(double limit) {
        if (unitCount == limits.length) {
            limits = Arrays.copyOf(limits, unitCount * 2);
        }
        limits[unitCount] = limit;
        return unitCount++;
    }

    void use(int move, int unit, double weight) {
        if (uses == useMove.length) {
            useMove = Arrays.copyOf(useMove, uses * 2);
            useUnit = Arrays.copyOf(useUnit, uses * 2);
            useWeight = Arrays.copyOf(useWeight, uses * 2);
        }
        useMove[uses] = move;
        useUnit[uses] = unit;
        useWeight[uses] = weight;
        uses++;
    }

    int unitCount() {
        return unitCount;
    }

    double[] limits() {
        return Arrays.copyOf(limits, unitCount);
    }

    /**
     * Compressed rows: the units of move m are {@code units[start[m]..start[m+1])} with {@code
     * weights} alongside.
     */
    record ByMove(int[] start, int[] units, double[] weights) {}

    ByMove byMove() {
        int[] start = new int[moves + 1];
        for (int i = 0; i < uses; i++) {
            start[useMove[i] + 1]++;
        }
        for (int m = 0; m < moves; m++) {
            start[m + 1] += start[m];
        }
        int[] fill = Arrays.copyOf(start, moves);
        int[] units = new int[uses];
        double[] weights = new double[uses];
        for (int i = 0; i < uses; i++) {
            int k = fill[useMove[i]]++;
            units[k] = useUnit[i];
            weights[k] = useWeight[i];
        }
        return new ByMove(start, units, weights);
    }
}
