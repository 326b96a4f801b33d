package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Grouping for one-to-many migration (VMScatter §4.5): spread zones over targets of bounded
 * capacity so that the bytes on the wire are fewest, when a block identical across the zones sent
 * to one target crosses the wire once for that target. The cost of an assignment is Σ over targets
 * of |∪ fingerprints of its zones| × block size (zero blocks excluded, see {@link
 * BlockFingerprints}). Finding the minimum is a capacitated clustering problem, NP-hard in general,
 * hence the paper's greedy heuristic ({@link #greedy}), the same followed by move/swap local search
 * ({@link #greedyWithSwaps}, which fixes greedy's weakness when all zones share a base); {@link
 * #random} is the baseline they are compared with and {@link #exhaustive} the optimum on small
 * instances.
 *
 * <p>Pure: every method is a function of its arguments. Zones must share one block size; ids must
 * be unique; the targets' capacities must add up to at least the number of zones. Memory is one bit
 * per distinct block per target (greedy) or one int (exhaustive).
 */
public final class GroupingPolicy {
    private final GroupingConfig config;

    public GroupingPolicy() {
        this(GroupingConfig.defaults());
    }

    public GroupingPolicy(GroupingConfig config) {
        this.config = Objects.requireNonNull(config, "config is null");
    }

    /**
     * The greedy rule: zones in decreasing size (distinct non-zero blocks; equal sizes in the order
     * given), each placed on the target with a free slot where it adds the fewest blocks not
     * already headed there; ties go to the target with the most free slots (keeping room for a
     * later zone that resembles what is already there, and spreading unrelated zones), then to the
     * target given first. Largest first because a large zone fixes the most content and so the most
     * of the cost; the small ones then follow whichever large zone they resemble. O(zones × targets
     * × blocks per zone).
     */
    public GroupingDecision greedy(List<GroupingZone> zones, List<GroupingTarget> targets) {
        Problem p = Problem.of(zones, targets);
        int[] assign = new int[p.zoneCount()];
        BitSet[] union = new BitSet[p.targetCount()];
        int[] free = new int[p.targetCount()];
        for (int t = 0; t < p.targetCount(); t++) {
            union[t] = new BitSet(p.universe());
            free[t] = targets.get(t).capacityZones();
        }
        for (int z : p.largestFirst()) {
            int best = -1;
            int bestNew = Integer.MAX_VALUE;
            for (int t = 0; t < p.targetCount(); t++) {
                if (free[t] == 0) {
                    continue;
                }
                int added = 0;
                for (int b : p.blocks[z]) {
                    if (!union[t].get(b)) {
                        added++;
                    }
                }
                if (added < bestNew || (added == bestNew && free[t] > free[best])) {
                    best = t;
                    bestNew = added;
                }
            }
            assign[z] = best;
            free[best]--;
            for (int b : p.blocks[z]) {
                union[best].set(b);
            }
        }
        return p.decision("greedy", assign);
    }

    /**
     * {@link #greedy} followed by local search: repeatedly move a zone to a target with a free
     * slot, or swap two zones on different targets, whenever that lowers the bytes on the wire;
     * zones and targets are tried in the order given and the first improving change is kept, until
     * none is left. Never worse than greedy. It repairs greedy's known blind spot: when all zones
     * share a common base (same OS, same game build), an already used target looks cheaper than an
     * empty one by the whole base, so greedy fills the first targets with unrelated zones and
     * splits the families that arrive later — even though, with capacity tight, every target ends
     * up paying for the base anyway. O(passes × zones² × blocks per zone).
     */
    public GroupingDecision greedyWithSwaps(
            List<GroupingZone> zones, List<GroupingTarget> targets) {
        Problem p = Problem.of(zones, targets);
        GroupingDecision greedy = greedy(zones, targets);
        int[] assign = new int[p.zoneCount()];
        Loads loads = new Loads(p, targets);
        for (int z = 0; z < assign.length; z++) {
            assign[z] = p.targetIndex(greedy.assignment().get(zones.get(z).id()));
            loads.add(z, assign[z]);
        }
        boolean improved = true;
        while (improved) {
            improved = false;
            for (int a = 0; a < assign.length; a++) {
                for (int t = 0; t < p.targetCount(); t++) {
                    if (t == assign[a] || loads.used[t] == loads.capacity[t]) {
                        continue;
                    }
                    int from = assign[a];
                    int delta = loads.add(a, t) - loads.remove(a, from);
                    if (delta < 0) {
                        assign[a] = t;
                        improved = true;
                    } else {
                        loads.remove(a, t);
                        loads.add(a, from);
                    }
                }
                for (int b = a + 1; b < assign.length; b++) {
                    int ta = assign[a];
                    int tb = assign[b];
                    if (ta == tb) {
                        continue;
                    }
                    int removed = loads.remove(a, ta) + loads.remove(b, tb);
                    int delta = loads.add(a, tb) + loads.add(b, ta) - removed;
                    if (delta < 0) {
                        assign[a] = tb;
                        assign[b] = ta;
                        improved = true;
                    } else {
                        loads.remove(a, tb);
                        loads.remove(b, ta);
                        loads.add(a, ta);
                        loads.add(b, tb);
                    }
                }
            }
        }
        return p.decision("greedy+swaps", assign);
    }

    /**
     * Per-target reference counts of blocks, so adding and removing a zone are both O(its size).
     */
    private static final class Loads {
        private final Problem p;
        private final int[] capacity;
        private final int[] used;
        private final int[][] refs;

        Loads(Problem p, List<GroupingTarget> targets) {
            this.p = p;
            this.capacity = targets.stream().mapToInt(GroupingTarget::capacityZones).toArray();
            this.used = new int[p.targetCount()];
            this.refs = new int[p.targetCount()][p.universe()];
        }

        /** Puts zone {@code z} on target {@code t}; returns the blocks new to {@code t}. */
        int add(int z, int t) {
            int added = 0;
            for (int b : p.blocks[z]) {
                if (refs[t][b]++ == 0) {
                    added++;
                }
            }
            used[t]++;
            return added;
        }

        /**
         * Takes zone {@code z} off target {@code t}; returns the blocks {@code t} no longer needs.
         */
        int remove(int z, int t) {
            int removed = 0;
            for (int b : p.blocks[z]) {
                if (--refs[t][b] == 0) {
                    removed++;
                }
            }
            used[t]--;
            return removed;
        }
    }

    /**
     * A uniformly random assignment among those that fill targets slot by slot: the targets' free
     * slots (each target repeated capacity times) are shuffled with {@code new Random(seed)} and
     * zone i, in the order given, takes slot i. Same seed, same assignment.
     */
    public GroupingDecision random(
            List<GroupingZone> zones, List<GroupingTarget> targets, long seed) {
        Problem p = Problem.of(zones, targets);
        List<Integer> slots = new ArrayList<>();
        for (int t = 0; t < p.targetCount(); t++) {
            for (int k = 0; k < targets.get(t).capacityZones(); k++) {
                slots.add(t);
            }
        }
        Collections.shuffle(slots, new Random(seed));
        int[] assign = new int[p.zoneCount()];
        for (int z = 0; z < assign.length; z++) {
            assign[z] = slots.get(z);
        }
        return p.decision("random", assign);
    }

    /**
     * The cheapest assignment, by depth-first branch and bound seeded with the {@link
     * #greedyWithSwaps} cost: zones largest first, a branch is cut once its partial cost reaches
     * the best complete one (cost only grows as zones are added), and of several empty targets with
     * equal capacity only the first is tried (they are interchangeable). Among equally cheap
     * assignments the greedy one, or else the first found, is returned. Refuses instances with
     * targets^zones above {@link GroupingConfig#maxExhaustiveAssignments()}.
     */
    public GroupingDecision exhaustive(List<GroupingZone> zones, List<GroupingTarget> targets) {
        Problem p = Problem.of(zones, targets);
        double space = Math.pow(p.targetCount(), p.zoneCount());
        if (space > config.maxExhaustiveAssignments()) {
            throw new InvalidInputException(
                    String.format(
                            Locale.ROOT,
                            "exhaustive grouping of %d zones over %d targets explores up to %.3g"
                                    + " assignments, above the limit of %d; use greedy",
                            p.zoneCount(),
                            p.targetCount(),
                            space,
                            config.maxExhaustiveAssignments()));
        }
        GroupingDecision greedy = greedyWithSwaps(zones, targets);
        Search search = new Search(p, targets, greedy.bytesOnWire() / p.blockSize);
        for (int z = 0; z < p.zoneCount(); z++) {
            search.bestAssign[z] = p.targetIndex(greedy.assignment().get(zones.get(z).id()));
        }
        search.run(0, 0);
        return p.decision("exhaustive", search.bestAssign);
    }

    /**
     * The decision for a given assignment (zone id → target id, every zone exactly once, capacities
     * respected), for comparing an existing plan with the policy's.
     */
    public GroupingDecision evaluate(
            List<GroupingZone> zones,
            List<GroupingTarget> targets,
            Map<String, String> assignment) {
        Problem p = Problem.of(zones, targets);
        Objects.requireNonNull(assignment, "assignment is null");
        int[] assign = new int[p.zoneCount()];
        int[] used = new int[p.targetCount()];
        for (int z = 0; z < p.zoneCount(); z++) {
            String zoneId = zones.get(z).id();
            String targetId = assignment.get(zoneId);
            if (targetId == null) {
                throw new InvalidInputException("zone " + zoneId + " is not assigned");
            }
            int t = p.targetIndex(targetId);
            if (t < 0) {
                throw new InvalidInputException(
                        "zone " + zoneId + " is assigned to unknown target " + targetId);
            }
            if (++used[t] > targets.get(t).capacityZones()) {
                throw new InvalidInputException(
                        "target "
                                + targetId
                                + " receives more than its capacity of "
                                + targets.get(t).capacityZones()
                                + " zones");
            }
            assign[z] = t;
        }
        if (assignment.size() != p.zoneCount()) {
            throw new InvalidInputException("assignment names zones that were not given");
        }
        return p.decision("given", assign);
    }

    /** Branch and bound over assignments, on the same reference counts as the local search. */
    private static final class Search {
        private final Problem p;
        private final Loads loads;
        private final int[] order;
        private final int[] assign;
        private final int[] bestAssign;
        private long bestBlocks;

        Search(Problem p, List<GroupingTarget> targets, long upperBoundBlocks) {
            this.p = p;
            this.loads = new Loads(p, targets);
            this.order = p.largestFirst();
            this.assign = new int[p.zoneCount()];
            this.bestAssign = new int[p.zoneCount()];
            this.bestBlocks = upperBoundBlocks;
        }

        void run(int depth, long blocks) {
            if (blocks >= bestBlocks) {
                return;
            }
            if (depth == order.length) {
                bestBlocks = blocks;
                System.arraycopy(assign, 0, bestAssign, 0, assign.length);
                return;
            }
            int z = order[depth];
            Set<Integer> emptyCapacitiesTried = new HashSet<>();
            for (int t = 0; t < p.targetCount(); t++) {
                if (loads.used[t] == loads.capacity[t]) {
                    continue;
                }
                if (loads.used[t] == 0 && !emptyCapacitiesTried.add(loads.capacity[t])) {
                    continue;
                }
                int added = loads.add(z, t);
                assign[z] = t;
                run(depth + 1, blocks + added);
                loads.remove(z, t);
            }
        }
    }

    /**
     * A validated instance with block hashes renumbered 0..universe-1 across all zones, so that
     * per-target unions are bit sets.
     */
    private record Problem(
            List<GroupingZone> zones,
            List<GroupingTarget> targets,
            int blockSize,
            int universe,
            int[][] blocks) {
        static Problem of(List<GroupingZone> zones, List<GroupingTarget> targets) {
            Objects.requireNonNull(zones, "zones is null");
            Objects.requireNonNull(targets, "targets is null");
            if (zones.isEmpty()) {
                throw new InvalidInputException("no zones to group");
            }
            if (targets.isEmpty()) {
                throw new InvalidInputException(
                        "no targets to spread " + zones.size() + " zones over");
            }
            Set<String> ids = new HashSet<>();
            for (GroupingZone zone : zones) {
                Objects.requireNonNull(zone, "zone is null");
                if (!ids.add(zone.id())) {
                    throw new InvalidInputException("duplicate zone " + zone.id());
                }
            }
            ids.clear();
            long capacity = 0;
            for (GroupingTarget target : targets) {
                Objects.requireNonNull(target, "target is null");
                if (!ids.add(target.id())) {
                    throw new InvalidInputException("duplicate target " + target.id());
                }
                capacity += target.capacityZones();
            }
            if (capacity < zones.size()) {
                throw new InvalidInputException(
                        "targets can take "
                                + capacity
                                + " zones in total but "
                                + zones.size()
                                + " must be placed; add targets or capacity");
            }
            int blockSize = zones.get(0).fingerprints().blockSize();
            long total = 0;
            for (GroupingZone zone : zones) {
                if (zone.fingerprints().blockSize() != blockSize) {
                    throw new InvalidInputException(
                            "zone "
                                    + zone.id()
                                    + " was fingerprinted in "
                                    + zone.fingerprints().blockSize()
                                    + "-byte blocks, zone "
                                    + zones.get(0).id()
                                    + " in "
                                    + blockSize
                                    + "-byte blocks; use one block size");
                }
                total += zone.fingerprints().distinctBlocks();
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(
                        "too many blocks to group at once: " + total + " (limit 2^31)");
            }
            long[] all = new long[(int) total];
            int n = 0;
            for (GroupingZone zone : zones) {
                long[] h = zone.fingerprints().sortedHashes();
                System.arraycopy(h, 0, all, n, h.length);
                n += h.length;
            }
            Arrays.sort(all);
            int distinct = 0;
            for (int i = 0; i < all.length; i++) {
                if (i == 0 || all[i] != all[i - 1]) {
                    all[distinct++] = all[i];
                }
            }
            int[][] blocks = new int[zones.size()][];
            for (int z = 0; z < zones.size(); z++) {
                long[] h = zones.get(z).fingerprints().sortedHashes();
                blocks[z] = new int[h.length];
                for (int i = 0; i < h.length; i++) {
                    blocks[z][i] = Arrays.binarySearch(all, 0, distinct, h[i]);
                }
            }
            return new Problem(
                    List.copyOf(zones), List.copyOf(targets), blockSize, distinct, blocks);
        }

        int zoneCount() {
            return zones.size();
        }

        int targetCount() {
            return targets.size();
        }

        int targetIndex(String id) {
            for (int t = 0; t < targets.size(); t++) {
                if (targets.get(t).id().equals(id)) {
                    return t;
                }
            }
            return -1;
        }

        /** Zone indices by decreasing distinct blocks, equal sizes in input order. */
        int[] largestFirst() {
            List<Integer> order = new ArrayList<>();
            for (int z = 0; z < zones.size(); z++) {
                order.add(z);
            }
            order.sort(Comparator.comparingInt((Integer z) -> -blocks[z].length));
            return order.stream().mapToInt(Integer::intValue).toArray();
        }

        GroupingDecision decision(String method, int[] assign) {
            BitSet[] union = new BitSet[targets.size()];
            for (int t = 0; t < union.length; t++) {
                union[t] = new BitSet(universe);
            }
            Map<String, String> assignment = new LinkedHashMap<>();
            long without = 0;
            for (int z = 0; z < zones.size(); z++) {
                assignment.put(zones.get(z).id(), targets.get(assign[z]).id());
                for (int b : blocks[z]) {
                    union[assign[z]].set(b);
                }
                without += (long) blocks[z].length * blockSize;
            }
            Map<String, Long> perTarget = new LinkedHashMap<>();
            long onWire = 0;
            for (int t = 0; t < union.length; t++) {
                long bytes = (long) union[t].cardinality() * blockSize;
                perTarget.put(targets.get(t).id(), bytes);
                onWire += bytes;
            }
            return new GroupingDecision(method, assignment, perTarget, onWire, without);
        }
    }
}
