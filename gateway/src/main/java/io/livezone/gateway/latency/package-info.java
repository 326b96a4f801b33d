/**
 * Players' latency: which region a client plays from ({@link
 * io.livezone.gateway.latency.ClientRegions}), the emulated one-way delay between regions and
 * hosting sites ({@link io.livezone.gateway.latency.RegionLatency}), and the QoS that reported
 * round trips add up to ({@link io.livezone.gateway.latency.LatencyMonitor}). Pure and thread-safe;
 * the gateway's delay stage and metrics use them.
 */
package io.livezone.gateway.latency;
