package io.livezone.sim;

import io.livezone.policy.BlockFingerprints;
import io.livezone.policy.GroupingDecision;
import io.livezone.policy.GroupingPolicy;
import io.livezone.policy.GroupingTarget;
import io.livezone.policy.GroupingZone;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Grouping for one-to-many migration (VMScatter §4.5) on synthetic zones whose memory images share
 * a common base: 12 zones of 4 game builds (3 zones each) spread over 4 targets of 3 slots. A
 * zone's image holds 80–100 % of the base blocks (the OS image: kernel, initrd, libraries), 90 % of
 * its build's 2,000 blocks and 1,000–3,000 blocks of its own (heap, player state). The base is
 * either 6,000 random blocks (about the size of the guest initrd, so {@link #run(long)} needs no
 * file) or the real blocks of an image file ({@link #run(long, Path)}, e.g. {@code
 * build/guest/initrd.img}). Compares greedy, greedy with swaps and {@value #RANDOM_RUNS} random
 * assignments. Deterministic for a seed and base.
 *
 * <p>The zone images are synthetic either way: builds and per-zone blocks are random numbers, and
 * their sizes and shares above are assumptions, not measurements of running zones (that would take
 * a memory dump of each, i.e. VMs). Only the base can be real.
 */
public final class GroupingBenchmark {
    static final int RANDOM_RUNS = 200;

    private static final int BUILDS = 4;
    private static final int ZONES_PER_BUILD = 3;
    private static final int TARGETS = 4;
    private static final int SLOTS_PER_TARGET = 3;
    private static final int SYNTHETIC_BASE_BLOCKS = 6_000;
    private static final int BUILD_BLOCKS = 2_000;
    private static final int MIN_OWN_BLOCKS = 1_000;
    private static final int MAX_OWN_BLOCKS = 3_000;

    private GroupingBenchmark() {}

    /** With a synthetic base of 6,000 random 4 KiB blocks. */
    public static GroupingBenchmarkResult run(long seed) {
        Random random = new Random(seed);
        long[] base = new long[SYNTHETIC_BASE_BLOCKS];
        for (int i = 0; i < base.length; i++) {
            base[i] = random.nextLong();
        }
        return run(seed, random, base, "synthetic");
    }

    /**
     * With the distinct non-zero 4 KiB blocks of {@code baseImage} as the common base. A gzip file
     * (the guest's initrd) is read decompressed: the guest unpacks its initramfs into memory, so
     * the archive's content, not its compressed bytes, is what zones share there.
     */
    public static GroupingBenchmarkResult run(long seed, Path baseImage) throws IOException {
        Objects.requireNonNull(baseImage, "baseImage is null");
        long[] base;
        String source = baseImage.toString();
        if (isGzip(baseImage)) {
            try (InputStream in =
                    new GZIPInputStream(new BufferedInputStream(Files.newInputStream(baseImage)))) {
                base = BlockFingerprints.of(in, BlockFingerprints.DEFAULT_BLOCK_SIZE).hashes();
            }
            source += " (decompressed)";
        } else {
            base = BlockFingerprints.of(baseImage).hashes();
        }
        return run(seed, new Random(seed), base, source);
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static GroupingBenchmarkResult run(
            long seed, Random random, long[] base, String baseSource) {
        int blockSize = BlockFingerprints.DEFAULT_BLOCK_SIZE;
        long[][] builds = new long[BUILDS][BUILD_BLOCKS];
        for (long[] build : builds) {
            Arrays.setAll(build, i -> random.nextLong());
        }
        List<GroupingZone> zones = new ArrayList<>();
        for (int b = 0; b < BUILDS; b++) {
            for (int k = 0; k < ZONES_PER_BUILD; k++) {
                long[] blocks = new long[base.length + BUILD_BLOCKS + MAX_OWN_BLOCKS];
                int n = 0;
                double baseShare = 0.8 + 0.2 * random.nextDouble();
                for (long h : base) {
                    if (random.nextDouble() < baseShare) {
                        blocks[n++] = h;
                    }
                }
                for (long h : builds[b]) {
                    if (random.nextDouble() < 0.9) {
                        blocks[n++] = h;
                    }
                }
                int own = MIN_OWN_BLOCKS + random.nextInt(MAX_OWN_BLOCKS - MIN_OWN_BLOCKS + 1);
                for (int i = 0; i < own; i++) {
                    blocks[n++] = random.nextLong();
                }
                zones.add(
                        new GroupingZone(
                                "b" + b + "z" + k,
                                BlockFingerprints.ofHashes(blockSize, Arrays.copyOf(blocks, n))));
            }
        }
        // Listed in a shuffled order, so input order hides the builds from the policies.
        java.util.Collections.shuffle(zones, random);
        List<GroupingTarget> targets = new ArrayList<>();
        for (int t = 0; t < TARGETS; t++) {
            targets.add(new GroupingTarget("t" + t, SLOTS_PER_TARGET));
        }

        GroupingPolicy policy = new GroupingPolicy();
        GroupingDecision greedy = policy.greedy(zones, targets);
        GroupingDecision swapped = policy.greedyWithSwaps(zones, targets);
        long[] randomBytes = new long[RANDOM_RUNS];
        for (int r = 0; r < RANDOM_RUNS; r++) {
            randomBytes[r] = policy.random(zones, targets, seed * 1_000_003L + r).bytesOnWire();
        }
        double randomMean = Arrays.stream(randomBytes).average().orElseThrow();
        return new GroupingBenchmarkResult(
                seed,
                baseSource,
                base.length,
                zones.size(),
                targets.size(),
                blockSize,
                greedy.bytesWithoutDedup(),
                greedy.bytesOnWire(),
                swapped.bytesOnWire(),
                randomMean,
                Arrays.stream(randomBytes).min().orElseThrow(),
                Arrays.stream(randomBytes).max().orElseThrow(),
                RANDOM_RUNS,
                builds(greedy),
                builds(swapped));
    }

    /** Whether every target received the zones of exactly one build. */
    private static boolean builds(GroupingDecision decision) {
        return decision.assignment().entrySet().stream()
                .allMatch(
                        e ->
                                decision.assignment().entrySet().stream()
                                        .filter(o -> o.getValue().equals(e.getValue()))
                                        .allMatch(
                                                o ->
                                                        o.getKey()
                                                                .substring(0, 2)
                                                                .equals(
                                                                        e.getKey()
                                                                                .substring(0, 2))));
    }
}
