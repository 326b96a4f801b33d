package io.livezone.dve.bot;

import org.HdrHistogram.Histogram;

/**
 * Update lateness of several windows merged, so that a percentile spans all of them: the p99 of
 * every migration window together, which no combination of per-window p99s gives. Filled by {@link
 * BotSwarm#cutWindow(LatencyPool)}. Thread-safe.
 */
public final class LatencyPool {
    private final Histogram samples = LatencySummary.newHistogram();
    private int windows;

    synchronized void add(Histogram window) {
        samples.add(window);
        windows++;
    }

    /** Windows added so far. */
    public synchronized int windows() {
        return windows;
    }

    public synchronized LatencySummary summary() {
        return LatencySummary.of(samples);
    }
}
