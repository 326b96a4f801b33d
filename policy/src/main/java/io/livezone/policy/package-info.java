/**
 * Placement and balancing policies: pure functions from a view of the cluster and a config record
 * to a decision, shared by the live coordinator and the simulator ({@code io.livezone.sim}).
 *
 * <ul>
 *   <li>{@link io.livezone.policy.ZoneMappingPolicy} (with {@link
 *       io.livezone.policy.ExhaustiveZoneMapping} as the exact reference): which server each zone
 *       should run on so most clients are under the RTT threshold (zone migration paper §6.3).
 *   <li>{@link io.livezone.policy.EquiPingPlacement}: the server giving a group of players the most
 *       equal latency (vMatrix).
 *   <li>{@link io.livezone.policy.DecentralizedLoadBalancer}: per-host, sender-initiated zone moves
 *       from load broadcasts, with a two-phase receiver decision (process migration paper §IV);
 *       configured by {@link io.livezone.policy.LoadBalancerConfig}.
 *   <li>{@link io.livezone.policy.ServerSwitchingPolicy}: resume hibernated VMs on idle hosts for a
 *       flash crowd and retire them after (vMatrix); configured by {@link
 *       io.livezone.policy.ServerSwitchingConfig}.
 * </ul>
 *
 * <p>Inputs are validated records; bad input raises {@link io.livezone.core.InvalidInputException}
 * with a message saying what is wrong.
 */
package io.livezone.policy;
