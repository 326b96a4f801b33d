package io.livezone.bench;

import io.livezone.planner.PlannerBenchmark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code livezone bench planner}: planning time for a large fleet, no VMs. */
@Command(
        name = "planner",
        mixinStandardHelpOptions = true,
        description =
                "Plan and simulate 10,000 moves over 1,000 hosts with each schedule policy"
                        + " (planner-only mode, no VMs).")
final class BenchPlanner implements Callable<Integer> {
    @Option(names = "--json", description = "Only JSON on stdout.")
    boolean json;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--moves", defaultValue = "10000")
    int moves;

    @Option(names = "--hosts", defaultValue = "1000")
    int hosts;

    @Override
    public Integer call() {
        if (moves < 1 || hosts < 2) {
            throw new io.livezone.core.InvalidInputException("need at least 1 move and 2 hosts");
        }
        PlannerBenchmark.Result r = PlannerBenchmark.run(seed, moves, hosts);
        if (!json) {
            System.out.printf(
                    "%d moves over %d hosts planned with auto in %d ms (target <= 2000 ms)%n",
                    r.moves(), r.hosts(), r.planMillis());
            r.makespanSeconds()
                    .forEach(
                            (p, s) ->
                                    System.out.printf(
                                            "  simulated makespan %-10s %8.1f s%n", p, s));
            System.out.printf(
                    "  lower bound %.1f s (%s)%n",
                    r.lowerBound().seconds(), r.lowerBound().bottleneck());
        }
        System.out.println(r.toJson());
        return 0;
    }
}
