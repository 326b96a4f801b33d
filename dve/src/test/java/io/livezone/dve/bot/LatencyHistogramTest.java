package io.livezone.dve.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

class LatencyHistogramTest {

    @Test
    void percentilesOfAUniformDistributionAreWithinBucketPrecision() {
        LatencyHistogram h = new LatencyHistogram();
        for (int ms = 1; ms <= 1000; ms++) {
            h.recordNanos(ms * 1_000_000L);
        }
        LatencySummary s = h.summary();
        assertThat(s.count()).isEqualTo(1000);
        assertThat(s.p50Ms()).isCloseTo(500, within(500 * 0.03));
        assertThat(s.p99Ms()).isCloseTo(990, within(990 * 0.03));
        assertThat(s.maxMs()).isEqualTo(1000.0); // exact
        assertThat(s.meanMs()).isCloseTo(500.5, within(0.01));
    }

    @Test
    void smallValuesAreExactAndOutliersShowInP99AndMax() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 98; i++) {
            h.recordMicros(40);
        }
        h.recordMicros(2_000_000); // a 2 s migration stall
        h.recordMicros(2_000_000);
        assertThat(h.percentileMicros(50)).isEqualTo(40);
        assertThat(h.percentileMicros(98)).isEqualTo(40);
        assertThat(h.percentileMicros(99)).isCloseTo(2_000_000L, within(2_000_000L * 3 / 100));
        assertThat(h.maxMicros()).isEqualTo(2_000_000);
    }

    @Test
    void bucketsCoverEveryValueWithBoundedRelativeError() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            long v = r.nextLong(1L << r.nextInt(1, 63));
            int idx = LatencyHistogram.bucketIndex(v);
            long lo = LatencyHistogram.lowerBound(idx);
            long width = LatencyHistogram.bucketWidth(idx);
            assertThat(v).isGreaterThanOrEqualTo(lo);
            assertThat(v - lo).isLessThan(width);
            assertThat(width == 1 || (double) width / lo <= 1.0 / 32).isTrue();
        }
        assertThat(LatencyHistogram.bucketIndex(63)).isEqualTo(63);
        assertThat(LatencyHistogram.bucketIndex(64)).isEqualTo(64);
        assertThat(LatencyHistogram.bucketIndex(Long.MAX_VALUE)).isLessThan(2_000);
    }

    @Test
    void mergingEqualsRecordingEverythingInOne() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        LatencyHistogram all = new LatencyHistogram();
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong(5_000_000);
            (i % 2 == 0 ? a : b).recordMicros(v);
            all.recordMicros(v);
        }
        LatencyHistogram merged = a.copy();
        merged.add(b);
        assertThat(merged.summary()).isEqualTo(all.summary());
        assertThat(a.count()).isEqualTo(5_000); // copy() left the original alone
    }

    @Test
    void emptyAndNegativeInputsAreHarmless() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.summary()).isEqualTo(LatencySummary.EMPTY);
        h.recordNanos(-5);
        assertThat(h.summary().maxMs()).isZero();
        assertThat(h.count()).isEqualTo(1);
    }
}
