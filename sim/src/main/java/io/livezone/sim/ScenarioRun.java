package io.livezone.sim;

import io.livezone.sim.output.ScenarioResult;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A scenario that ran: its result, the files written, and the wall-clock time the simulation took
 * (writing excluded).
 */
public record ScenarioRun(ScenarioResult result, List<Path> files, double wallSeconds) {
    public ScenarioRun {
        Objects.requireNonNull(result, "result is null");
        files = List.copyOf(files);
    }
}
