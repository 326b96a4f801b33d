package io.livezone.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The incremental max-min allocation against a from-scratch water-filling after every change. */
class FlowNetworkTest {

    @Test
    void incrementalRatesEqualAFullRecomputationThroughRandomChurn() {
        for (long seed = 1; seed <= 30; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            int resources = 3 + random.nextInt(10);
            int flows = 60;
            double[] capacity = new double[resources];
            for (int r = 0; r < resources; r++) {
                capacity[r] = 1 + random.nextInt(10);
            }
            int[] path = new int[3 * flows];
            double[] cap = new double[flows];
            for (int f = 0; f < flows; f++) {
                cap[f] = Double.POSITIVE_INFINITY;
                for (int k = 0; k < 3; k++) {
                    int r = k < 2 || random.nextBoolean() ? random.nextInt(resources) : -1;
                    // A flow uses a resource at most once, as a migration does.
                    for (int j = 0; j < k; j++) {
                        if (path[3 * f + j] == r) {
                            r = -1;
                        }
                    }
                    path[3 * f + k] = r;
                    if (r >= 0) {
                        cap[f] = Math.min(cap[f], capacity[r]);
                    }
                }
                if (random.nextInt(4) == 0) {
                    cap[f] = Math.min(cap[f], 0.5 + random.nextInt(4));
                }
            }
            FlowNetwork network = new FlowNetwork(capacity, path, cap);
            boolean[] active = new boolean[flows];
            double[] previous = new double[flows];
            Map<Integer, Double> seenBefore = new HashMap<>();
            for (int step = 0; step < 300; step++) {
                int changes = 1 + random.nextInt(3);
                for (int c = 0; c < changes; c++) {
                    int f = random.nextInt(flows);
                    if (active[f]) {
                        network.remove(f);
                        previous[f] = 0;
                    } else {
                        network.add(f);
                    }
                    active[f] = !active[f];
                }
                seenBefore.clear();
                network.rebalance(f -> seenBefore.put(f, network.rate(f)));
                double[] expected = waterFill(capacity, path, cap, active);
                for (int f = 0; f < flows; f++) {
                    if (active[f]) {
                        assertThat(network.rate(f))
                                .as("seed %d step %d flow %d", seed, step, f)
                                .isCloseTo(expected[f], within(1e-9 * (1 + expected[f])));
                        // The simulator settles progress at the old rate: it must be told of every
                        // change, before it happens.
                        if (seenBefore.containsKey(f)) {
                            assertThat(seenBefore.get(f)).isEqualTo(previous[f]);
                        } else {
                            assertThat(network.rate(f)).isEqualTo(previous[f]);
                        }
                    }
                    previous[f] = active[f] ? network.rate(f) : 0;
                }
            }
        }
    }

    /** Textbook progressive filling, recomputed from nothing. */
    private static double[] waterFill(
            double[] capacity, int[] path, double[] cap, boolean[] active) {
        int flows = cap.length;
        double[] rate = new double[flows];
        boolean[] frozen = new boolean[flows];
        List<Integer> unfrozen = new ArrayList<>();
        for (int f = 0; f < flows; f++) {
            if (active[f]) {
                unfrozen.add(f);
            }
        }
        while (!unfrozen.isEmpty()) {
            double level = Double.POSITIVE_INFINITY;
            for (int f : unfrozen) {
                level = Math.min(level, cap[f]);
            }
            for (int r = 0; r < capacity.length; r++) {
                double used = 0;
                int open = 0;
                for (int f = 0; f < flows; f++) {
                    if (active[f] && uses(path, f, r)) {
                        if (frozen[f]) {
                            used += rate[f];
                        } else {
                            open++;
                        }
                    }
                }
                if (open > 0) {
                    level = Math.min(level, (capacity[r] - used) / open);
                }
            }
            List<Integer> next = new ArrayList<>();
            for (int f : unfrozen) {
                boolean stop = cap[f] <= level * (1 + 1e-12);
                for (int r = 0; r < capacity.length && !stop; r++) {
                    if (uses(path, f, r)
                            && saturatedAt(capacity, path, rate, frozen, active, r, level)) {
                        stop = true;
                    }
                }
                if (stop) {
                    rate[f] = level;
                    frozen[f] = true;
                } else {
                    next.add(f);
                }
            }
            for (int f : next) {
                rate[f] = level;
            }
            unfrozen = next;
        }
        return rate;
    }

    private static boolean saturatedAt(
            double[] capacity,
            int[] path,
            double[] rate,
            boolean[] frozen,
            boolean[] active,
            int r,
            double level) {
        double used = 0;
        for (int f = 0; f < frozen.length; f++) {
            if (active[f] && uses(path, f, r)) {
                used += frozen[f] ? rate[f] : level;
            }
        }
        return used >= capacity[r] * (1 - 1e-12);
    }

    private static boolean uses(int[] path, int f, int r) {
        return path[3 * f] == r || path[3 * f + 1] == r || path[3 * f + 2] == r;
    }
}
