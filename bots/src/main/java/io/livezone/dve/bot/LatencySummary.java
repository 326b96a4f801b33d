package io.livezone.dve.bot;

import org.HdrHistogram.Histogram;

/** Distribution of a latency-like quantity, in milliseconds (0.1 % resolution). */
public record LatencySummary(long count, double p50Ms, double p99Ms, double maxMs, double meanMs) {
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0);

    /**
     * A histogram of durations in microseconds: three significant digits, growing with the largest
     * value, so memory stays bounded whatever the sample count. Not thread-safe.
     */
    static Histogram newHistogram() {
        Histogram h = new Histogram(3);
        h.setAutoResize(true);
        return h;
    }

    static void recordNanos(Histogram h, long nanos) {
        h.recordValue(Math.max(0, nanos) / 1_000);
    }

    static LatencySummary of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(
                h.getTotalCount(),
                millis(h.getValueAtPercentile(50)),
                millis(h.getValueAtPercentile(99)),
                millis(h.getMaxValue()),
                h.getMean() / 1_000.0);
    }

    private static double millis(long micros) {
        return micros / 1_000.0;
    }
}
