package io.livezone.bench;

import io.livezone.qemu.LiveZoneHome;
import io.livezone.sim.GroupingBenchmark;
import io.livezone.sim.GroupingBenchmarkResult;
import io.livezone.sim.SimBenchmark;
import io.livezone.sim.SimBenchmarkResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code livezone bench sim}: the simulator's scenarios and the policies at scale, no VMs. */
@Command(
        name = "sim",
        mixinStandardHelpOptions = true,
        description =
                "Load balancing, zone mapping and equi-ping placement in the simulator: wall time,"
                        + " balance and QoS figures.")
final class BenchSim implements Callable<Integer> {
    @Option(names = "--json", description = "Only JSON on stdout.")
    boolean json;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Override
    public Integer call() {
        SimBenchmarkResult r = SimBenchmark.run(seed);
        boolean met =
                r.lbScenarioWallS() <= 10
                        && r.lbMaxNodeCpuPctWithout() > 95
                        && r.lbMaxAbsDevFromMeanPctWith() <= 10
                        && r.mappingQosBefore() < 0.34
                        && r.mappingQosAfter() >= 0.999
                        && r.mapping1000z100s100kcMs() <= 1000;
        if (!json) {
            System.out.printf(
                    "load balancing: simulated in %.2f s; hottest host %.1f%% without LB, %.1f%%"
                            + " with; with LB every host within %.1f points of the mean; %d"
                            + " migrations%n",
                    r.lbScenarioWallS(),
                    r.lbMaxNodeCpuPctWithout(),
                    r.lbMaxNodeCpuPctWith(),
                    r.lbMaxAbsDevFromMeanPctWith(),
                    r.lbMigrations());
            System.out.printf(
                    "zone mapping: QoS %.0f%% -> %.0f%%; 1,000 zones / 100 servers / 100,000"
                        + " clients in %.0f ms; equi-ping: 10,000 matches in %.0f ms; targets met:"
                        + " %s%n",
                    100 * r.mappingQosBefore(),
                    100 * r.mappingQosAfter(),
                    r.mapping1000z100s100kcMs(),
                    r.equiping10kMatchesMs(),
                    met);
        }
        // Grouping for one-to-many migration (VMScatter): zones sharing the guest image's blocks.
        Path initrd = LiveZoneHome.path().resolve("build/guest/initrd.img");
        GroupingBenchmarkResult g;
        try {
            g =
                    Files.isRegularFile(initrd)
                            ? GroupingBenchmark.run(seed, initrd)
                            : GroupingBenchmark.run(seed);
        } catch (IOException e) {
            g = GroupingBenchmark.run(seed);
        }
        if (!json) {
            System.out.printf(
                    "grouping: greedy sends %.3f and greedy+swaps %.3f of a random assignment's"
                            + " bytes%n",
                    g.greedyVsRandomMean(), g.greedySwapsVsRandomMean());
        }
        String line = r.toJson();
        System.out.println(
                line.substring(0, line.length() - 1)
                        + String.format(
                                java.util.Locale.ROOT,
                                ",\"grouping_greedy_vs_random\":%.4f,\"grouping_greedy_swaps_vs_random\":%.4f",
                                g.greedyVsRandomMean(),
                                g.greedySwapsVsRandomMean())
                        + ",\"targets_met\":"
                        + met
                        + "}");
        return 0;
    }
}
