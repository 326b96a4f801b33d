package io.livezone.dve.bot;

import java.util.Arrays;

/**
 * Log-linear histogram of durations in microseconds (HdrHistogram-like, no dependency): exact below
 * 64 us, then 32 sub-buckets per power of two, i.e. at most ~3% relative error. Memory is bounded
 * whatever the sample count: the bucket array grows only to the largest value's bucket (under 2,000
 * ints even for Long.MAX_VALUE) — typically a few hundred for RTTs and update gaps. Not
 * thread-safe.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int LINEAR_LIMIT = 2 * SUB_BUCKETS;

    private int[] counts = new int[LINEAR_LIMIT];
    private long count;
    private long sumMicros;
    private long maxMicros;

    void recordNanos(long nanos) {
        recordMicros(Math.max(0, nanos) / 1_000);
    }

    void recordMicros(long micros) {
        long value = Math.max(0, micros);
        int index = bucketIndex(value);
        if (index >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(index + 1, counts.length * 2));
        }
        counts[index]++;
        count++;
        sumMicros += value;
        maxMicros = Math.max(maxMicros, value);
    }

    long count() {
        return count;
    }

    long maxMicros() {
        return maxMicros;
    }

    /**
     * Value at percentile {@code p} (0..100]: the middle of the bucket holding that rank, clamped
     * to the exact maximum so that p100 is exact.
     */
    long percentileMicros(double p) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(maxMicros, lowerBound(i) + (bucketWidth(i) - 1) / 2);
            }
        }
        return maxMicros;
    }

    void add(LatencyHistogram other) {
        if (other.counts.length > counts.length) {
            counts = Arrays.copyOf(counts, other.counts.length);
        }
        for (int i = 0; i < other.counts.length; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        sumMicros += other.sumMicros;
        maxMicros = Math.max(maxMicros, other.maxMicros);
    }

    LatencyHistogram copy() {
        LatencyHistogram h = new LatencyHistogram();
        h.add(this);
        return h;
    }

    LatencySummary summary() {
        return new LatencySummary(
                count,
                millis(percentileMicros(50)),
                millis(percentileMicros(99)),
                millis(maxMicros),
                count == 0 ? 0 : millis(Math.round((double) sumMicros / count)));
    }

    private static double millis(long micros) {
        return micros / 1_000.0;
    }

    static int bucketIndex(long value) {
        if (value < LINEAR_LIMIT) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS;
        return LINEAR_LIMIT + (shift - 1) * SUB_BUCKETS + (int) ((value >>> shift) - SUB_BUCKETS);
    }

    static long lowerBound(int index) {
        if (index < LINEAR_LIMIT) {
            return index;
        }
        int shift = (index - LINEAR_LIMIT) / SUB_BUCKETS + 1;
        long top = (index - LINEAR_LIMIT) % SUB_BUCKETS + SUB_BUCKETS;
        return top << shift;
    }

    static long bucketWidth(int index) {
        return index < LINEAR_LIMIT ? 1 : 1L << ((index - LINEAR_LIMIT) / SUB_BUCKETS + 1);
    }
}
