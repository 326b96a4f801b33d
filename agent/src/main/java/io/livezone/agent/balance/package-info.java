/**
 * Decentralised load balancing on the live cluster (process migration paper §IV): one {@link
 * io.livezone.agent.balance.Conductor} per host agent. Conductors form a JGroups group (membership,
 * failure detection), broadcast their load every period, and run the pure decisions of {@link
 * io.livezone.policy.DecentralizedLoadBalancer}; a move the receiver accepted is carried out by the
 * coordinator as a one-move plan.
 */
package io.livezone.agent.balance;
