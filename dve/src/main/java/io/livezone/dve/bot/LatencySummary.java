package io.livezone.dve.bot;

/** Distribution of a latency-like quantity, in milliseconds (about 3% resolution, exact max). */
public record LatencySummary(long count, double p50Ms, double p99Ms, double maxMs, double meanMs) {
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0);
}
