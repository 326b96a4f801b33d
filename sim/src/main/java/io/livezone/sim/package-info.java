/**
 * LiveZone's discrete-event simulator: runs the real placement and balancing policies ({@code
 * io.livezone.policy}) on simulated clusters, much faster than real time and deterministically for
 * a seed.
 *
 * <p>{@link io.livezone.sim.Simulation#runScenario} runs a named scenario (see {@code
 * io.livezone.sim.scenario}) and writes CSV, JSON and PNG files; {@link
 * io.livezone.sim.SimBenchmark#run} measures the headline figures for {@code livezone bench sim}.
 * Below: {@code engine} (the event loop), {@code cluster} (hosts, zones and conductors), {@code
 * output} (tables, charts, writers).
 */
package io.livezone.sim;
