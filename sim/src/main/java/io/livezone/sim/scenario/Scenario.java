package io.livezone.sim.scenario;

import io.livezone.sim.output.ScenarioResult;

/** A simulation that, given a seed, always produces the same result. */
public interface Scenario {
    /** Name used on the command line ({@code livezone sim <name>}) and in file names. */
    String name();

    /** One line saying what is simulated. */
    String description();

    ScenarioResult run(long seed);
}
