package io.livezone.policy;

import io.livezone.core.InvalidInputException;
import io.livezone.core.snapshot.ClusterSnapshot;

/**
 * The optimal zone mapping (§6.3) by exhaustive search over every capacity-feasible mapping,
 * preferring fewer migrations among equally good ones. Exponential, so it refuses instances with
 * more than {@link #MAX_MAPPINGS} candidate mappings; it exists to check {@link ZoneMappingPolicy}
 * and for tiny clusters. Same contract as {@link ZoneMappingPolicy#decide}.
 */
public final class ExhaustiveZoneMapping {
    public static final long MAX_MAPPINGS = 1_000_000;

    public ZoneMappingDecision decide(ClusterSnapshot snapshot, ZoneMappingConfig config) {
        ZoneQosTable table = ZoneQosTable.of(snapshot, config);
        long mappings = 1;
        for (int z = 0; z < table.zones(); z++) {
            mappings *= table.servers();
            if (mappings > MAX_MAPPINGS) {
                throw new InvalidInputException(
                        "exhaustive zone mapping of "
                                + table.zones()
                                + " zones on "
                                + table.servers()
                                + " servers exceeds "
                                + MAX_MAPPINGS
                                + " candidate mappings");
            }
        }
        if (table.meetsTarget(config)) {
            return table.keep(config);
        }
        Search search = new Search(table);
        search.visit(0, 0, 0);
        return table.decide(search.best, config);
    }

    private static final class Search {
        private final ZoneQosTable table;
        private final int[] assignment;
        private final int[] load;
        private final int[] bestRemaining;
        private int[] best;
        private long bestGood = -1;
        private int bestMoves = Integer.MAX_VALUE;

        Search(ZoneQosTable table) {
            this.table = table;
            this.assignment = new int[table.zones()];
            this.load = new int[table.servers()];
            // Upper bound on what zones z.. can still add, for pruning.
            this.bestRemaining = new int[table.zones() + 1];
            for (int z = table.zones() - 1; z >= 0; z--) {
                int max = 0;
                for (int g : table.good[z]) {
                    max = Math.max(max, g);
                }
                bestRemaining[z] = bestRemaining[z + 1] + max;
            }
        }

        void visit(int z, long good, int moves) {
            if (good + bestRemaining[z] < bestGood) {
                return;
            }
            if (z == table.zones()) {
                if (good > bestGood || (good == bestGood && moves < bestMoves)) {
                    best = assignment.clone();
                    bestGood = good;
                    bestMoves = moves;
                }
                return;
            }
            for (int s = 0; s < table.servers(); s++) {
                if (load[s] < table.capacity[s]) {
                    assignment[z] = s;
                    load[s]++;
                    visit(z + 1, good + table.good[z][s], moves + (s == table.current[z] ? 0 : 1));
                    load[s]--;
                }
            }
        }
    }
}
