package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * The multi-zone migration paper's testbed configurations, as plans: servers with 100 Mbit/s NICs,
 * 100 ms RTT between any two (each server its own site, as with netem between machines). The live
 * benchmark builds its VMs from the same definitions, so simulated and measured makespans compare
 * one to one.
 */
public final class PaperConfigurations {
    /** 100 Mbit/s. */
    public static final long NIC_BYTES_PER_SEC = 100_000_000L / 8;

    public static final double RTT_MILLIS = 100;

    /** Zones of a random configuration at most: the VMs a 2-core machine runs side by side. */
    public static final int RANDOM_MAX_ZONES = 4;

    private PaperConfigurations() {}

    /** A named plan: {@code 2z/3s} = two zones over three servers. */
    public record Configuration(String name, String description, PlanInput input) {
        public Configuration {
            Objects.requireNonNull(name, "name is null");
            Objects.requireNonNull(description, "description is null");
            Objects.requireNonNull(input, "input is null");
        }
    }

    /**
     * What the simulator predicts for one configuration.
     *
     * @param makespanSeconds per policy name
     */
    public record Prediction(
            String name, Map<String, Double> makespanSeconds, LowerBound lowerBound) {
        public Prediction {
            makespanSeconds = Collections.unmodifiableMap(new LinkedHashMap<>(makespanSeconds));
        }
    }

    /**
     * The four configurations with every zone of {@code memoryBytes} dirtying {@code
     * dirtyBytesPerSec}; every server has room for all the zones of its configuration, so only the
     * network orders the moves:
     *
     * <ul>
     *   <li>{@code 2z/2s}: a swap, z1 s1→s2 and z2 s2→s1 — opposite directions, no contention;
     *   <li>{@code 2z/3s}: two sources to one destination, z1 s1→s3 and z2 s2→s3 — they contend on
     *       s3's inbound NIC;
     *   <li>{@code 3z/3s}: a cycle s1→s2→s3→s1 — each NIC direction used once;
     *   <li>{@code 4z/4s}: that cycle plus z4 s4→s1, so s1's inbound NIC is shared while the rest
     *       of the cycle is not, and "one migration per server" serialises needlessly.
     * </ul>
     */
    public static List<Configuration> all(long memoryBytes, long dirtyBytesPerSec) {
        return List.of(
                configuration(
                        "2z/2s",
                        "swap: z1 s1→s2, z2 s2→s1",
                        2,
                        memoryBytes,
                        dirtyBytesPerSec,
                        new int[][] {{1, 2}, {2, 1}}),
                configuration(
                        "2z/3s",
                        "two to one: z1 s1→s3, z2 s2→s3",
                        3,
                        memoryBytes,
                        dirtyBytesPerSec,
                        new int[][] {{1, 3}, {2, 3}}),
                configuration(
                        "3z/3s",
                        "cycle: z1 s1→s2, z2 s2→s3, z3 s3→s1",
                        3,
                        memoryBytes,
                        dirtyBytesPerSec,
                        new int[][] {{1, 2}, {2, 3}, {3, 1}}),
                configuration(
                        "4z/4s",
                        "cycle plus two to one: z1 s1→s2, z2 s2→s3, z3 s3→s1, z4 s4→s1",
                        4,
                        memoryBytes,
                        dirtyBytesPerSec,
                        new int[][] {{1, 2}, {2, 3}, {3, 1}, {4, 1}}));
    }

    /**
     * A seeded random configuration of the same testbed, named {@code r<index>}: 2 or 3 servers and
     * more zones than servers (at most {@value #RANDOM_MAX_ZONES}), each zone from a random server
     * to another. Some server is the source of two zones, and the plan has at least two directions
     * and two sources, so flows share a NIC direction while others run the opposite way — what the
     * four hand-made configurations each show one of. The same index and seed give the same plan,
     * whatever other configurations are drawn.
     */
    public static Configuration random(
            int index, long seed, long memoryBytes, long dirtyBytesPerSec) {
        if (index < 1) {
            throw new InvalidInputException(
                    "random configurations are numbered from 1, got " + index);
        }
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
        int servers = 2 + random.nextInt(2);
        int zones = servers + 1 + random.nextInt(RANDOM_MAX_ZONES - servers);
        while (true) {
            int[][] moves = new int[zones][];
            Set<Integer> sources = new HashSet<>();
            Set<List<Integer>> directions = new HashSet<>();
            StringJoiner text =
                    new StringJoiner(
                            ", ",
                            "random (seed "
                                    + seed
                                    + "), "
                                    + zones
                                    + " zones on "
                                    + servers
                                    + " servers: ",
                            "");
            for (int z = 0; z < zones; z++) {
                int source = 1 + random.nextInt(servers);
                int destination = 1 + random.nextInt(servers - 1);
                if (destination >= source) {
                    destination++;
                }
                moves[z] = new int[] {source, destination};
                sources.add(source);
                directions.add(List.of(source, destination));
                text.add("z" + (z + 1) + " s" + source + "→s" + destination);
            }
            if (sources.size() >= 2 && directions.size() >= 2) {
                return configuration(
                        "r" + index,
                        text.toString(),
                        servers,
                        memoryBytes,
                        dirtyBytesPerSec,
                        moves);
            }
        }
    }

    /** Simulates every configuration under every policy. */
    public static List<Prediction> predict(
            long memoryBytes, long dirtyBytesPerSec, MigrationTimeModel model) {
        PlanSimulator simulator = new PlanSimulator(model);
        List<Prediction> predictions = new ArrayList<>();
        for (Configuration configuration : all(memoryBytes, dirtyBytesPerSec)) {
            Map<String, Double> makespans = new LinkedHashMap<>();
            for (String name : MigrationSchedulePolicy.NAMES) {
                PlanResult result =
                        simulator.simulate(
                                configuration.input(), MigrationSchedulePolicy.byName(name, model));
                makespans.put(name, result.makespanSeconds());
            }
            predictions.add(
                    new Prediction(
                            configuration.name(),
                            makespans,
                            LowerBound.of(configuration.input(), model)));
        }
        return predictions;
    }

    private static Configuration configuration(
            String name,
            String description,
            int servers,
            long memoryBytes,
            long dirtyBytesPerSec,
            int[][] moves) {
        List<Host> hosts = new ArrayList<>();
        for (int s = 1; s <= servers; s++) {
            String id = "s" + s;
            hosts.add(new Host(id, id, NIC_BYTES_PER_SEC, moves.length * memoryBytes));
        }
        List<SiteLink> links = new ArrayList<>();
        for (int a = 1; a <= servers; a++) {
            for (int b = a + 1; b <= servers; b++) {
                links.add(new SiteLink("s" + a, "s" + b, NIC_BYTES_PER_SEC, RTT_MILLIS));
            }
        }
        List<Move> plan = new ArrayList<>();
        for (int i = 0; i < moves.length; i++) {
            plan.add(
                    new Move(
                            "z" + (i + 1),
                            "s" + moves[i][0],
                            "s" + moves[i][1],
                            memoryBytes,
                            0,
                            dirtyBytesPerSec));
        }
        return new Configuration(name, description, PlanInput.of(hosts, links, plan, Caps.NONE));
    }
}
