/**
 * Serving the gateway's Micrometer meters to Prometheus ({@code GET /metrics} over the JDK's
 * built-in HTTP server).
 */
package io.livezone.gateway.metrics;
