/**
 * The simulated scenarios, each a {@link io.livezone.sim.scenario.Scenario} that is deterministic
 * for a seed: the process migration paper's drifting crowd ({@link
 * io.livezone.sim.scenario.LoadBalancingScenario}), zone mapping by RTT ({@link
 * io.livezone.sim.scenario.ZoneMappingScenario}), a flash crowd met by server switching ({@link
 * io.livezone.sim.scenario.FlashCrowdScenario}), a match-making stream placed by EquiPing ({@link
 * io.livezone.sim.scenario.MatchmakingScenario}) and a fleet of thousands of zones ({@link
 * io.livezone.sim.scenario.FleetScenario}).
 */
package io.livezone.sim.scenario;
