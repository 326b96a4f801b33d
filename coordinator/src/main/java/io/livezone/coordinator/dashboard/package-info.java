/**
 * The operator's dashboard: static pages served by the coordinator, one JSON snapshot of the fleet
 * pushed as server-sent events, and the small in-memory QoS history the charts draw. Every action
 * the page offers calls the same authenticated API as the CLI.
 */
package io.livezone.coordinator.dashboard;
