package io.livezone.policy;

import io.livezone.core.snapshot.ClusterSnapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Zone mapping from the zone migration paper, §6.3: when the share of clients whose RTT to their
 * zone's server is below the threshold falls under the target, find a zone→server mapping within
 * server capacities that maximises that share, and migrate the zones whose server changes.
 *
 * <p>The exact problem is a generalised assignment problem (NP-hard), so this is a fast heuristic:
 * greedy construction (zones with the most clients first, each to the free server serving most of
 * its clients), then local search with single-zone moves, pairwise swaps and two-step shifts until
 * none improves QoS. Local search also runs from the current placement and the better result wins,
 * preferring fewer migrations on equal QoS, since each migration has a cost (§6.3 moves only what
 * pays). A pass costs O(zones × servers + servers²); clients are never touched after {@link
 * ZoneQosTable} aggregates them. {@link ExhaustiveZoneMapping} is the exact reference for small
 * instances.
 *
 * <p>Stateless and pure: the same snapshot and config always give the same decision.
 */
public final class ZoneMappingPolicy {

    public ZoneMappingDecision decide(ClusterSnapshot snapshot, ZoneMappingConfig config) {
        ZoneQosTable table = ZoneQosTable.of(snapshot, config);
        if (table.meetsTarget(config)) {
            return table.keep(config);
        }
        int[] fromGreedy = localSearch(table, greedy(table));
        int[] fromCurrent = localSearch(table, table.current.clone());
        int[] best = better(table, fromGreedy, fromCurrent);
        revertNeedlessMoves(table, best);
        return table.decide(best, config);
    }

    private static int[] better(ZoneQosTable table, int[] a, int[] b) {
        long goodA = table.goodClients(a);
        long goodB = table.goodClients(b);
        if (goodA != goodB) {
            return goodA > goodB ? a : b;
        }
        return table.movesFromCurrent(a) <= table.movesFromCurrent(b) ? a : b;
    }

    /** Biggest zones choose first; ties stay on the current server to avoid needless migrations. */
    private static int[] greedy(ZoneQosTable table) {
        Integer[] order = new Integer[table.zones()];
        Arrays.setAll(order, z -> z);
        Arrays.sort(
                order,
                Comparator.<Integer>comparingInt(z -> -table.clientsPerZone[z])
                        .thenComparingInt(z -> z));
        int[] load = new int[table.servers()];
        int[] assignment = new int[table.zones()];
        for (int z : order) {
            int best = -1;
            for (int s = 0; s < table.servers(); s++) {
                if (load[s] >= table.capacity[s]) {
                    continue;
                }
                if (best < 0
                        || table.good[z][s] > table.good[z][best]
                        || (table.good[z][s] == table.good[z][best] && s == table.current[z])) {
                    best = s;
                }
            }
            // The snapshot guarantees the current placement fits, so total capacity >= zones and
            // best >= 0.
            assignment[z] = best;
            load[best]++;
        }
        return assignment;
    }

    private static int[] loads(ZoneQosTable table, int[] assignment) {
        int[] load = new int[table.servers()];
        for (int s : assignment) {
            load[s]++;
        }
        return load;
    }

    /**
     * Improves {@code a} in place until no move or swap raises the number of well-served clients;
     * returns it.
     */
    static int[] localSearch(ZoneQosTable table, int[] a) {
        int[] load = loads(table, a);
        int servers = table.servers();
        int[][] good = table.good;
        boolean improved = true;
        while (improved) {
            improved = false;
            // Moves into free capacity: the delta of moving z to s is good[z][s] - good[z][a[z]].
            for (int z = 0; z < a.length; z++) {
                int from = a[z];
                int bestTo = -1;
                int bestGain = 0;
                for (int s = 0; s < servers; s++) {
                    int gain = good[z][s] - good[z][from];
                    if (gain > bestGain && s != from && load[s] < table.capacity[s]) {
                        bestGain = gain;
                        bestTo = s;
                    }
                }
                if (bestTo >= 0) {
                    a[z] = bestTo;
                    load[from]--;
                    load[bestTo]++;
                    improved = true;
                }
            }
            // Swaps: the gain of swapping a zone on p with a zone on q splits into two independent
            // halves, so the
            // best swap per server pair is the best p→q leaver plus the best q→p leaver: O(zones ×
            // servers).
            int[][] outGain = new int[servers][servers];
            int[][] outZone = new int[servers][servers];
            for (int[] row : outZone) {
                Arrays.fill(row, -1);
            }
            for (int z = 0; z < a.length; z++) {
                int p = a[z];
                for (int q = 0; q < servers; q++) {
                    int gain = good[z][q] - good[z][p];
                    if (q != p && (outZone[p][q] < 0 || gain > outGain[p][q])) {
                        outGain[p][q] = gain;
                        outZone[p][q] = z;
                    }
                }
            }
            List<int[]> swaps = new ArrayList<>();
            for (int p = 0; p < servers; p++) {
                for (int q = p + 1; q < servers; q++) {
                    if (outZone[p][q] >= 0
                            && outZone[q][p] >= 0
                            && outGain[p][q] + outGain[q][p] > 0) {
                        swaps.add(new int[] {outGain[p][q] + outGain[q][p], p, q});
                    }
                }
            }
            swaps.sort(
                    Comparator.<int[]>comparingInt(s -> -s[0])
                            .thenComparingInt(s -> s[1])
                            .thenComparingInt(s -> s[2]));
            // Each applied swap changes which zones sit on p and q, so later swaps may only use
            // untouched servers.
            boolean[] touched = new boolean[servers];
            for (int[] swap : swaps) {
                int p = swap[1];
                int q = swap[2];
                if (touched[p] || touched[q]) {
                    continue;
                }
                a[outZone[p][q]] = q;
                a[outZone[q][p]] = p;
                touched[p] = true;
                touched[q] = true;
                improved = true;
            }
            if (!improved) {
                improved = shift(table, a, load);
            }
        }
        return a;
    }

    /**
     * Ejection chain of length two, which neither moves nor swaps reach: a zone enters full server
     * q while one of q's zones leaves for a server with free capacity. Both halves are independent
     * given q, so the best chain per q is the best entrant plus the best leaver: O(zones ×
     * servers). Applies the single best chain; true if it improved.
     */
    private static boolean shift(ZoneQosTable table, int[] a, int[] load) {
        int servers = table.servers();
        int[][] good = table.good;
        int[] inGain = new int[servers];
        int[] inZone = new int[servers];
        int[] outGain = new int[servers];
        int[] outZone = new int[servers];
        int[] outTo = new int[servers];
        Arrays.fill(inZone, -1);
        Arrays.fill(outZone, -1);
        for (int z = 0; z < a.length; z++) {
            int p = a[z];
            for (int s = 0; s < servers; s++) {
                if (s == p) {
                    continue;
                }
                int gain = good[z][s] - good[z][p];
                if (inZone[s] < 0 || gain > inGain[s]) {
                    inGain[s] = gain;
                    inZone[s] = z;
                }
                if (load[s] < table.capacity[s] && (outZone[p] < 0 || gain > outGain[p])) {
                    outGain[p] = gain;
                    outZone[p] = z;
                    outTo[p] = s;
                }
            }
        }
        int bestQ = -1;
        for (int q = 0; q < servers; q++) {
            if (inZone[q] >= 0
                    && outZone[q] >= 0
                    && inGain[q] + outGain[q] > 0
                    && (bestQ < 0 || inGain[q] + outGain[q] > inGain[bestQ] + outGain[bestQ])) {
                bestQ = q;
            }
        }
        if (bestQ < 0) {
            return false;
        }
        int entrant = inZone[bestQ];
        int leaver = outZone[bestQ];
        load[a[entrant]]--;
        load[outTo[bestQ]]++;
        a[entrant] = bestQ;
        a[leaver] = outTo[bestQ];
        return true;
    }

    /**
     * Sends zones back to their current server where that costs no QoS, so only migrations that pay
     * remain.
     */
    private static void revertNeedlessMoves(ZoneQosTable table, int[] a) {
        int[] load = loads(table, a);
        boolean reverted = true;
        while (reverted) {
            reverted = false;
            for (int z = 0; z < a.length; z++) {
                int home = table.current[z];
                if (a[z] != home
                        && load[home] < table.capacity[home]
                        && table.good[z][home] >= table.good[z][a[z]]) {
                    load[a[z]]--;
                    load[home]++;
                    a[z] = home;
                    reverted = true;
                }
            }
        }
    }
}
