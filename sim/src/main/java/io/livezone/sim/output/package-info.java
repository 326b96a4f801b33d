/**
 * What a simulation run produces and how it is written: {@link
 * io.livezone.sim.output.ScenarioResult} (summary, {@link io.livezone.sim.output.Table}s, {@link
 * io.livezone.sim.output.ChartSpec}s) and {@link io.livezone.sim.output.ResultWriter}, which turns
 * it into CSV, JSON and PNG files.
 */
package io.livezone.sim.output;
