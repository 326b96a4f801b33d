package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * Planner-only benchmark: plans and simulates a large random (but seeded) fleet under every policy,
 * timing the contention-aware one. {@code bin/livezone bench planner --json} prints {@link
 * Result#toJson()}.
 *
 * <p>The fleet: several sites of hosts with 1, 2.5, 5 or 10 Gbit/s NICs and 128–512 GiB for zones,
 * 40–60% used by zones that stay; sites joined by 40 or 100 Gbit/s links with 5–60 ms RTT; zones of
 * 1–8 GiB dirtying 0.25–32 MiB/s, one in ten with a 10–40 GiB disk to copy; four moves in five stay
 * within their site (rebalancing), the rest cross. Destinations are chosen with room for all their
 * incoming zones, so any seed gives a plan that completes.
 */
public final class PlannerBenchmark {
    public static final int MOVES = 10_000;
    public static final int HOSTS = 1_000;

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    private static final long GBIT = 1_000_000_000L / 8;

    private PlannerBenchmark() {}

    /**
     * @param planMillis wall time to create the "auto" schedule and simulate the plan with it
     * @param makespanSeconds simulated makespan per policy
     * @param millis wall time per policy, schedule creation plus simulation
     */
    public record Result(
            long seed,
            int moves,
            int hosts,
            long planMillis,
            Map<String, Double> makespanSeconds,
            Map<String, Long> millis,
            LowerBound lowerBound,
            long throttledMovesAuto) {

        /** One line of JSON; {@code plan_ms} is the figure with the 2-second target. */
        public String toJson() {
            StringJoiner makespans = new StringJoiner(",", "{", "}");
            makespanSeconds.forEach(
                    (name, s) -> makespans.add(String.format(Locale.ROOT, "\"%s\":%.3f", name, s)));
            StringJoiner times = new StringJoiner(",", "{", "}");
            millis.forEach((name, ms) -> times.add("\"" + name + "\":" + ms));
            return String.format(
                    Locale.ROOT,
                    "{\"moves\":%d,\"hosts\":%d,\"plan_ms\":%d,\"makespan_s\":%s,"
                            + "\"lower_bound_s\":%.3f,\"policy_ms\":%s,"
                            + "\"throttled_moves_auto\":%d,\"seed\":%d}",
                    moves,
                    hosts,
                    planMillis,
                    makespans,
                    lowerBound.seconds(),
                    times,
                    throttledMovesAuto,
                    seed);
        }
    }

    /** 10,000 moves over 1,000 hosts. */
    public static Result run(long seed) {
        return run(seed, MOVES, HOSTS);
    }

    public static Result run(long seed, int moves, int hosts) {
        PlanInput input = fleet(seed, moves, hosts);
        MigrationTimeModel model = MigrationTimeModel.DEFAULT;
        PlanSimulator simulator = new PlanSimulator(model);
        Map<String, Double> makespans = new LinkedHashMap<>();
        Map<String, Long> millis = new LinkedHashMap<>();
        long throttled = 0;
        // "auto" first: its time is the one with a target, and it must not profit from a JIT
        // warmed up by the others.
        for (String name :
                List.of(
                        ContentionAwareSchedule.NAME,
                        ParallelSchedule.NAME,
                        SequentialSchedule.NAME)) {
            long begin = System.nanoTime();
            PlanResult result =
                    simulator.simulate(input, MigrationSchedulePolicy.byName(name, model));
            millis.put(name, (System.nanoTime() - begin) / 1_000_000);
            makespans.put(name, result.makespanSeconds());
            if (name.equals(ContentionAwareSchedule.NAME)) {
                throttled = result.throttledMoves();
            }
        }
        return new Result(
                seed,
                moves,
                hosts,
                millis.get(ContentionAwareSchedule.NAME),
                makespans,
                millis,
                LowerBound.of(input, model),
                throttled);
    }

    /** The benchmark's random fleet and plan; the same seed gives the same plan. */
    public static PlanInput fleet(long seed, int moveCount, int hostCount) {
        if (hostCount < 2 || moveCount < 0) {
            throw new InvalidInputException(
                    "benchmark needs at least 2 hosts and >= 0 moves, got "
                            + hostCount
                            + " hosts, "
                            + moveCount
                            + " moves");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int sites = Math.max(1, Math.min(5, hostCount / 20));
        List<Host> hosts = new ArrayList<>(hostCount);
        long[] capacity = new long[hostCount];
        long[] used = new long[hostCount];
        List<List<Integer>> bySite = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            bySite.add(new ArrayList<>());
        }
        long[] nics = {GBIT, GBIT * 5 / 2, 5 * GBIT, 10 * GBIT};
        int[] nicWeights = {25, 15, 10, 50};
        for (int h = 0; h < hostCount; h++) {
            int site = h % sites;
            capacity[h] = (128L << random.nextInt(3)) * GIB;
            used[h] = capacity[h] * (40 + random.nextInt(21)) / 100;
            hosts.add(
                    new Host(
                            "h" + h,
                            "site" + site,
                            nics[weighted(random, nicWeights)],
                            capacity[h]));
            bySite.get(site).add(h);
        }
        List<SiteLink> links = new ArrayList<>();
        for (int a = 0; a < sites; a++) {
            for (int b = a + 1; b < sites; b++) {
                long bandwidth = random.nextBoolean() ? 40 * GBIT : 100 * GBIT;
                links.add(new SiteLink("site" + a, "site" + b, bandwidth, 5 + random.nextInt(56)));
            }
        }
        // First the zones that will move, on their sources; then destinations with room for
        // everything they receive, so no host ever waits for memory.
        long[] zoneSizes = {1, 2, 3, 4, 6, 8};
        int[] source = new int[moveCount];
        long[] memory = new long[moveCount];
        for (int i = 0; i < moveCount; i++) {
            memory[i] = zoneSizes[random.nextInt(zoneSizes.length)] * GIB;
            int s = -1;
            for (int attempt = 0; attempt < 1000 && s < 0; attempt++) {
                int candidate = random.nextInt(hostCount);
                if (used[candidate] + memory[i] <= capacity[candidate]) {
                    s = candidate;
                }
            }
            if (s < 0) {
                throw new InvalidInputException(
                        "benchmark fleet too full: no room for another moving zone; use fewer"
                                + " moves");
            }
            source[i] = s;
            used[s] += memory[i];
        }
        long[] free = new long[hostCount];
        for (int h = 0; h < hostCount; h++) {
            free[h] = capacity[h] - used[h];
        }
        List<Move> moves = new ArrayList<>(moveCount);
        for (int i = 0; i < moveCount; i++) {
            int s = source[i];
            int d = destination(random, s, memory[i], free, bySite, sites, hostCount);
            free[d] -= memory[i];
            long disk = random.nextInt(10) == 0 ? (10 + random.nextInt(31)) * GIB : 0;
            // Log-uniform over 0.25..32 MiB/s: most zones are calm, a few busy.
            long dirty = (long) (MIB / 4.0 * Math.pow(128, random.nextDouble()));
            moves.add(new Move("z" + i, "h" + s, "h" + d, memory[i], disk, dirty));
        }
        Map<String, Long> usedMemory = new LinkedHashMap<>();
        for (int h = 0; h < hostCount; h++) {
            usedMemory.put("h" + h, used[h]);
        }
        return new PlanInput(hosts, links, moves, usedMemory, Caps.NONE);
    }

    private static int destination(
            SplittableRandom random,
            int source,
            long memory,
            long[] free,
            List<List<Integer>> bySite,
            int sites,
            int hostCount) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int d;
            if (sites == 1 || random.nextInt(5) != 0) {
                List<Integer> local = bySite.get(source % sites);
                d = local.get(random.nextInt(local.size()));
            } else {
                d = random.nextInt(hostCount);
            }
            if (d != source && free[d] >= memory) {
                return d;
            }
        }
        for (int d = 0; d < hostCount; d++) {
            if (d != source && free[d] >= memory) {
                return d;
            }
        }
        throw new InvalidInputException(
                "benchmark fleet too full: no host has room for another zone; use fewer moves");
    }

    private static int weighted(SplittableRandom random, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            pick -= weights[i];
            if (pick < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
