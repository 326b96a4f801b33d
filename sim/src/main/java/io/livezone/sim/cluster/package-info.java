/**
 * A simulated cluster of hosts and zones whose conductors run the real {@link
 * io.livezone.policy.DecentralizedLoadBalancer}: load broadcasts, two-phase proposals, migrations
 * that take time, hosts joining and draining.
 */
package io.livezone.sim.cluster;
