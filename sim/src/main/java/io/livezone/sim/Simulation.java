package io.livezone.sim;

import io.livezone.core.InvalidInputException;
import io.livezone.sim.output.ResultWriter;
import io.livezone.sim.output.ScenarioResult;
import io.livezone.sim.scenario.FlashCrowdScenario;
import io.livezone.sim.scenario.FleetScenario;
import io.livezone.sim.scenario.LoadBalancingScenario;
import io.livezone.sim.scenario.MatchmakingScenario;
import io.livezone.sim.scenario.Scenario;
import io.livezone.sim.scenario.ZoneMappingScenario;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Entry point for {@code livezone sim <scenario>}: runs a named scenario with its default
 * configuration and writes its CSV, JSON and PNG files.
 */
public final class Simulation {
    private static final Map<String, Supplier<Scenario>> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put(LoadBalancingScenario.NAME, LoadBalancingScenario::new);
        SCENARIOS.put(ZoneMappingScenario.NAME, ZoneMappingScenario::new);
        SCENARIOS.put(FlashCrowdScenario.NAME, FlashCrowdScenario::new);
        SCENARIOS.put(MatchmakingScenario.NAME, MatchmakingScenario::new);
        SCENARIOS.put(FleetScenario.NAME, FleetScenario::new);
    }

    private Simulation() {}

    /** The scenarios {@link #runScenario} knows, in a stable order. */
    public static List<String> scenarioNames() {
        return List.copyOf(SCENARIOS.keySet());
    }

    public static Scenario scenario(String name) {
        Objects.requireNonNull(name, "name is null");
        Supplier<Scenario> scenario = SCENARIOS.get(name);
        if (scenario == null) {
            throw new InvalidInputException(
                    "unknown scenario '"
                            + name
                            + "'; known: "
                            + String.join(", ", scenarioNames()));
        }
        return scenario.get();
    }

    /** Runs scenario {@code name} with {@code seed} and writes its files into {@code outDir}. */
    public static ScenarioRun runScenario(String name, long seed, Path outDir) {
        Objects.requireNonNull(outDir, "outDir is null");
        Scenario scenario = scenario(name);
        long start = System.nanoTime();
        ScenarioResult result = scenario.run(seed);
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        List<Path> files = new ResultWriter().write(result, outDir);
        return new ScenarioRun(result, files, wallSeconds);
    }
}
