package io.livezone.cli;

import io.livezone.sim.ScenarioRun;
import io.livezone.sim.Simulation;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code livezone sim SCENARIO}: runs a simulator scenario and writes CSV, JSON and PNG charts. */
@Command(
        name = "sim",
        mixinStandardHelpOptions = true,
        description =
                "Run a simulated scenario (load-balancing, zone-mapping, flash-crowd, matchmaking,"
                        + " fleet) with the live policies; writes CSV, JSON and PNG charts.")
final class SimCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO")
    String scenario;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(
            names = "--out",
            defaultValue = "sim-out",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() {
        ScenarioRun run = Simulation.runScenario(scenario, seed, out);
        System.out.printf(
                "%s (seed %d) simulated in %.2f s wall%n", scenario, seed, run.wallSeconds());
        run.result().summary().forEach((k, v) -> System.out.printf("  %s: %s%n", k, v));
        run.files().forEach(f -> System.out.println("  wrote " + f));
        return 0;
    }
}
