package io.livezone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

class GroupingPolicyTest {
    private static final int B = 4096;

    private final GroupingPolicy policy = new GroupingPolicy();

    /**
     * A zone whose blocks are the hashes from {@code from} (inclusive) to {@code to} (exclusive).
     */
    private static GroupingZone zone(String id, long from, long to) {
        return new GroupingZone(
                id, BlockFingerprints.ofHashes(B, LongStream.range(from, to).toArray()));
    }

    private static GroupingZone zone(String id, long[] hashes) {
        return new GroupingZone(id, BlockFingerprints.ofHashes(B, hashes));
    }

    private static List<GroupingTarget> targets(int count, int capacity) {
        List<GroupingTarget> targets = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            targets.add(new GroupingTarget("t" + t, capacity));
        }
        return targets;
    }

    @Test
    void greedyPutsTheTwoAlikeZonesTogether() {
        // a = blocks 0..99, b = 10..109 (90 shared with a), c = 1000..1079 (nothing shared).
        // Two targets of 2: {a,b}+{c} costs 110 + 80 = 190 blocks; {a,c}+{b} 180 + 100 = 280;
        // {b,c}+{a} 180 + 100 = 280. Without dedup: 100 + 100 + 80 = 280.
        List<GroupingZone> zones =
                List.of(zone("a", 0, 100), zone("c", 1000, 1080), zone("b", 10, 110));

        GroupingDecision greedy = policy.greedy(zones, targets(2, 2));

        assertThat(greedy.assignment().get("a")).isEqualTo(greedy.assignment().get("b"));
        assertThat(greedy.assignment().get("c")).isNotEqualTo(greedy.assignment().get("a"));
        assertThat(greedy.bytesOnWire()).isEqualTo(190L * B);
        assertThat(greedy.bytesWithoutDedup()).isEqualTo(280L * B);
        assertThat(greedy.savedFraction()).isEqualTo(1 - 190.0 / 280);
        assertThat(greedy.assignment().keySet()).containsExactly("a", "c", "b");
        assertThat(policy.exhaustive(zones, targets(2, 2)).bytesOnWire()).isEqualTo(190L * B);
    }

    @Test
    void greedyOrderAndTieBreaksAreAsDocumented() {
        // a (100 blocks) first: all targets tie at 100 new blocks and free slots, so t0.
        // b (60 blocks, disjoint): t0 and t1 tie at 60 new; t1 has more free slots.
        // c (50 blocks inside a) adds 0 at t0.
        List<GroupingZone> zones =
                List.of(zone("c", 0, 50), zone("b", 500, 560), zone("a", 0, 100));

        GroupingDecision greedy = policy.greedy(zones, targets(2, 2));

        assertThat(greedy.assignment()).isEqualTo(Map.of("c", "t0", "b", "t1", "a", "t0"));
        assertThat(greedy.bytesPerTarget())
                .containsEntry("t0", 100L * B)
                .containsEntry("t1", 60L * B);
    }

    @Test
    void capacityCanForceSplittingAlikeZones() {
        List<GroupingZone> zones = List.of(zone("a", 0, 100), zone("b", 0, 100), zone("c", 0, 100));

        GroupingDecision greedy = policy.greedy(zones, targets(3, 1));

        assertThat(greedy.bytesOnWire()).isEqualTo(300L * B).isEqualTo(greedy.bytesWithoutDedup());
        assertThat(policy.greedy(zones, targets(1, 3)).bytesOnWire()).isEqualTo(100L * B);
    }

    @Test
    void randomIsReproducibleAndRespectsCapacity() {
        List<GroupingZone> zones = families(new Random(1), 4, 3, 50, 20, 100);
        List<GroupingTarget> targets =
                List.of(new GroupingTarget("x", 5), new GroupingTarget("y", 7));

        GroupingDecision one = policy.random(zones, targets, 42);

        assertThat(policy.random(zones, targets, 42)).isEqualTo(one);
        assertThat(one.assignment().values().stream().filter("x"::equals).count())
                .isLessThanOrEqualTo(5);
        assertThat(policy.evaluate(zones, targets, one.assignment()).bytesOnWire())
                .isEqualTo(one.bytesOnWire());
    }

    /**
     * {@code families} groups of {@code perFamily} zones: every zone holds {@code common} blocks
     * shared by all, {@code family} blocks shared with its family, and {@code unique} blocks of its
     * own; zones are listed in a shuffled order.
     */
    private static List<GroupingZone> families(
            Random random, int families, int perFamily, int common, int family, int unique) {
        List<GroupingZone> zones = new ArrayList<>();
        long next = 1_000_000;
        for (int f = 0; f < families; f++) {
            long familyStart = 10_000L * (f + 1);
            for (int k = 0; k < perFamily; k++) {
                long[] h = new long[common + family + unique];
                int i = 0;
                for (int c = 0; c < common; c++) {
                    h[i++] = c;
                }
                for (int c = 0; c < family; c++) {
                    h[i++] = familyStart + c;
                }
                // Zones of a family differ in size so the largest-first order matters.
                int own = unique + random.nextInt(unique + 1);
                h = java.util.Arrays.copyOf(h, common + family + own);
                for (int c = 0; c < own; c++) {
                    h[i++] = next++;
                }
                zones.add(zone("f" + f + "z" + k, h));
            }
        }
        java.util.Collections.shuffle(zones, random);
        return zones;
    }

    @Test
    void greedyFillsTheFirstTargetWhenAllZonesShareABaseAndSwapsRepairIt() {
        // Every zone has the same 100-block base (ids 0..99); families A and B add 50 blocks each;
        // own blocks: a1 30, b1 20, a2 10, b2 5. Sizes a1 180 > b1 170 > a2 160 > b2 155.
        // Greedy: a1 -> t0; b1 adds 70 at t0 but 170 at empty t1 -> t0 (now full); a2, b2 -> t1.
        // Cost t0 {a1,b1} = 100+50+30+50+20 = 250, t1 {a2,b2} = 100+50+10+50+5 = 215: 465 blocks.
        // By family: {a1,a2} = 190, {b1,b2} = 175: 365 blocks. Without dedup 665.
        List<GroupingZone> zones =
                List.of(
                        zone("a1", concat(range(0, 100), range(1000, 1050), range(5000, 5030))),
                        zone("b1", concat(range(0, 100), range(2000, 2050), range(6000, 6020))),
                        zone("a2", concat(range(0, 100), range(1000, 1050), range(7000, 7010))),
                        zone("b2", concat(range(0, 100), range(2000, 2050), range(8000, 8005))));
        List<GroupingTarget> targets = targets(2, 2);

        GroupingDecision greedy = policy.greedy(zones, targets);
        GroupingDecision swapped = policy.greedyWithSwaps(zones, targets);

        assertThat(greedy.assignment())
                .isEqualTo(Map.of("a1", "t0", "b1", "t0", "a2", "t1", "b2", "t1"));
        assertThat(greedy.bytesOnWire()).isEqualTo(465L * B);
        assertThat(swapped.bytesOnWire()).isEqualTo(365L * B);
        assertThat(swapped.assignment().get("a1")).isEqualTo(swapped.assignment().get("a2"));
        assertThat(swapped.bytesWithoutDedup()).isEqualTo(665L * B);
        assertThat(policy.exhaustive(zones, targets).bytesOnWire()).isEqualTo(365L * B);
    }

    private static long[] range(long from, long to) {
        return LongStream.range(from, to).toArray();
    }

    private static long[] concat(long[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    @Test
    void greedyBeatsTheAverageRandomAssignmentOnFamilyStructures() {
        // Families of 3 zones, 4 targets of 3 slots: by family is the natural grouping. Without a
        // common base plain greedy finds it; with one, even a small one, an occupied target looks
        // cheaper than an empty one and only greedy+swaps is reliable (see the test above).
        int greedyWins = 0;
        int instances = 40;
        double greedySum = 0;
        double randomSum = 0;
        for (int instance = 0; instance < instances; instance++) {
            Random random = new Random(instance);
            int common = instance % 2 == 0 ? 0 : 200;
            List<GroupingZone> zones = families(random, 4, 3, common, 300, 50);
            List<GroupingTarget> targets = targets(4, 3);

            long greedy = policy.greedy(zones, targets).bytesOnWire();
            long swapped = policy.greedyWithSwaps(zones, targets).bytesOnWire();
            double randomMean =
                    LongStream.range(0, 200)
                            .mapToDouble(seed -> policy.random(zones, targets, seed).bytesOnWire())
                            .average()
                            .orElseThrow();

            assertThat(swapped).isLessThanOrEqualTo(greedy);
            assertThat((double) swapped).as("instance %d", instance).isLessThan(randomMean);
            if (common == 0) {
                assertThat((double) greedy).as("instance %d", instance).isLessThan(randomMean);
            }
            greedyWins += greedy < randomMean ? 1 : 0;
            greedySum += greedy;
            randomSum += randomMean;
        }
        System.out.printf(
                "greedy < mean of 200 random assignments on %d of %d family instances;"
                        + " greedy/random bytes %.3f%n",
                greedyWins, instances, greedySum / randomSum);
    }

    @Test
    void greedyWithSwapsGroupsFamiliesWhenTheyFitTheTargets() {
        List<GroupingZone> zones = families(new Random(7), 3, 2, 100, 200, 40);
        GroupingDecision swapped = policy.greedyWithSwaps(zones, targets(3, 2));

        for (GroupingZone zone : zones) {
            String family = zone.id().substring(0, 2);
            for (GroupingZone other : zones) {
                if (other.id().startsWith(family)) {
                    assertThat(swapped.assignment().get(other.id()))
                            .isEqualTo(swapped.assignment().get(zone.id()));
                }
            }
        }
        assertThat(swapped.bytesOnWire())
                .isEqualTo(policy.exhaustive(zones, targets(3, 2)).bytesOnWire());
    }

    @Test
    void greedyIsCloseToExhaustiveOnSmallRandomInstances() {
        double maxRatio = 1;
        double maxSwappedRatio = 1;
        int optimal = 0;
        int instances = 150;
        for (int instance = 0; instance < instances; instance++) {
            Random random = new Random(1000 + instance);
            int zoneCount = 3 + random.nextInt(5);
            List<GroupingTarget> targets = new ArrayList<>();
            int capacity = 0;
            for (int t = 0; capacity < zoneCount || t < 2; t++) {
                int c = 1 + random.nextInt(3);
                targets.add(new GroupingTarget("t" + t, c));
                capacity += c;
            }
            // Each zone takes a random subset of a small pool plus some own blocks: overlaps of
            // every
            // size, not just clean families.
            List<GroupingZone> zones = new ArrayList<>();
            for (int z = 0; z < zoneCount; z++) {
                List<Long> h = new ArrayList<>();
                int pool = 20 + random.nextInt(40);
                double p = random.nextDouble();
                for (long b = 0; b < pool; b++) {
                    if (random.nextDouble() < p) {
                        h.add(b);
                    }
                }
                int own = random.nextInt(10);
                for (int k = 0; k < own; k++) {
                    h.add(10_000L * (z + 1) + k);
                }
                h.add(1_000_000L + z);
                zones.add(zone("z" + z, h.stream().mapToLong(Long::longValue).toArray()));
            }
            GroupingDecision greedy = policy.greedy(zones, targets);
            GroupingDecision swapped = policy.greedyWithSwaps(zones, targets);
            GroupingDecision best = policy.exhaustive(zones, targets);
            GroupingDecision brute = bruteForce(zones, targets);

            assertThat(best.bytesOnWire())
                    .as("instance %d", instance)
                    .isEqualTo(brute.bytesOnWire());
            assertThat(best.bytesOnWire()).isLessThanOrEqualTo(swapped.bytesOnWire());
            assertThat(swapped.bytesOnWire()).isLessThanOrEqualTo(greedy.bytesOnWire());
            maxSwappedRatio =
                    Math.max(maxSwappedRatio, (double) swapped.bytesOnWire() / best.bytesOnWire());
            double ratio = (double) greedy.bytesOnWire() / best.bytesOnWire();
            maxRatio = Math.max(maxRatio, ratio);
            if (ratio == 1) {
                optimal++;
            }
        }
        System.out.printf(
                "greedy vs exhaustive over %d instances: optimal in %d, max ratio %.4f;"
                        + " greedy+swaps max ratio %.4f%n",
                instances, optimal, maxRatio, maxSwappedRatio);
        // Observed on these 150 fixed instances: greedy 1.1404, greedy+swaps 1.0085.
        assertThat(maxRatio).isLessThanOrEqualTo(1.5);
        assertThat(maxSwappedRatio).isLessThanOrEqualTo(1.05);
    }

    /** Every assignment, no pruning: the reference for {@link GroupingPolicy#exhaustive}. */
    private GroupingDecision bruteForce(List<GroupingZone> zones, List<GroupingTarget> targets) {
        int n = zones.size();
        int t = targets.size();
        GroupingDecision best = null;
        int[] digits = new int[n];
        long combos = (long) Math.pow(t, n);
        for (long c = 0; c < combos; c++) {
            long v = c;
            int[] used = new int[t];
            boolean fits = true;
            for (int z = 0; z < n; z++) {
                digits[z] = (int) (v % t);
                v /= t;
                fits &= ++used[digits[z]] <= targets.get(digits[z]).capacityZones();
            }
            if (!fits) {
                continue;
            }
            Map<String, String> assignment = new java.util.HashMap<>();
            for (int z = 0; z < n; z++) {
                assignment.put(zones.get(z).id(), targets.get(digits[z]).id());
            }
            GroupingDecision d = policy.evaluate(zones, targets, assignment);
            if (best == null || d.bytesOnWire() < best.bytesOnWire()) {
                best = d;
            }
        }
        return best;
    }

    @Test
    void rejectsEmptyTargetsTooLittleCapacityAndDuplicates() {
        List<GroupingZone> zones = List.of(zone("a", 0, 10), zone("b", 5, 15));

        assertThatThrownBy(() -> policy.greedy(zones, List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no targets to spread 2 zones over");
        assertThatThrownBy(() -> policy.greedy(zones, targets(1, 1)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "targets can take 1 zones in total but 2 must be placed; add targets or"
                                + " capacity");
        assertThatThrownBy(
                        () ->
                                policy.greedy(
                                        List.of(zone("a", 0, 1), zone("a", 1, 2)), targets(2, 1)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("duplicate zone a");
        assertThatThrownBy(
                        () ->
                                policy.random(
                                        zones,
                                        List.of(
                                                new GroupingTarget("t", 1),
                                                new GroupingTarget("t", 1)),
                                        1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("duplicate target t");
        assertThatThrownBy(() -> policy.greedy(List.of(), targets(1, 1)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no zones to group");
        assertThatThrownBy(() -> new GroupingTarget("t", -1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(">= 0");
    }

    @Test
    void rejectsMixedBlockSizesBadAssignmentsAndLargeExhaustiveSearches() {
        GroupingZone small = new GroupingZone("s", BlockFingerprints.ofHashes(512, 1L));
        assertThatThrownBy(() -> policy.greedy(List.of(zone("a", 0, 2), small), targets(2, 1)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("use one block size");

        List<GroupingZone> zones = List.of(zone("a", 0, 10), zone("b", 5, 15));
        assertThatThrownBy(
                        () -> policy.evaluate(zones, targets(2, 1), Map.of("a", "t0", "b", "t0")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("more than its capacity");
        assertThatThrownBy(() -> policy.evaluate(zones, targets(2, 1), Map.of("a", "t0")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone b is not assigned");
        assertThatThrownBy(
                        () -> policy.evaluate(zones, targets(2, 1), Map.of("a", "t0", "b", "zz")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone b is assigned to unknown target zz");

        List<GroupingZone> many = new ArrayList<>();
        for (int z = 0; z < 20; z++) {
            many.add(zone("z" + z, z, z + 2));
        }
        assertThatThrownBy(
                        () ->
                                new GroupingPolicy(new GroupingConfig(1000))
                                        .exhaustive(many, targets(4, 5)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("use greedy");
    }
}
