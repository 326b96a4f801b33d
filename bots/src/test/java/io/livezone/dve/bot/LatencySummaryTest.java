package io.livezone.dve.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void percentilesOfAUniformDistributionAreWithinOnePerMille() {
        Histogram h = LatencySummary.newHistogram();
        for (int ms = 1; ms <= 1000; ms++) {
            LatencySummary.recordNanos(h, ms * 1_000_000L);
        }
        LatencySummary s = LatencySummary.of(h);
        assertThat(s.count()).isEqualTo(1000);
        assertThat(s.p50Ms()).isCloseTo(500, within(0.5));
        assertThat(s.p99Ms()).isCloseTo(990, within(1.0));
        assertThat(s.maxMs()).isCloseTo(1000, within(1.0));
        assertThat(s.meanMs()).isCloseTo(500.5, within(0.5));
    }

    @Test
    void anOutlierShowsInMaxButNotInTheMedian() {
        Histogram h = LatencySummary.newHistogram();
        for (int i = 0; i < 99; i++) {
            LatencySummary.recordNanos(h, 40_000);
        }
        LatencySummary.recordNanos(h, 3_000_000_000L); // one 3 s stall, beyond the first range
        LatencySummary s = LatencySummary.of(h);
        assertThat(s.p50Ms()).isEqualTo(0.04);
        assertThat(s.maxMs()).isCloseTo(3000, within(3.0));
    }

    @Test
    void negativeDurationsCountAsZeroAndAnEmptyHistogramSummarisesAsEmpty() {
        Histogram h = LatencySummary.newHistogram();
        assertThat(LatencySummary.of(h)).isEqualTo(LatencySummary.EMPTY);
        LatencySummary.recordNanos(h, -5);
        assertThat(LatencySummary.of(h).maxMs()).isZero();
    }
}
