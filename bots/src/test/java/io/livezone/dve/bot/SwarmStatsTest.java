package io.livezone.dve.bot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.List;

class SwarmStatsTest {
    private final UpdateTracker tracker = new UpdateTracker();
    private final BotMetrics metrics = new BotMetrics();

    private void feed(long tick, long digest, long prev, long gapNanos) {
        metrics.update(tracker.observe(tick, digest, prev), gapNanos, tracker.highestTick());
    }

    @Test
    void windowsResetOnCutWhileTotalsAccumulate() {
        for (long t = 1; t <= 10; t++) {
            feed(t, t, t - 1, t == 1 ? -1 : 50_000_000L);
        }
        metrics.rtt(1_000_000);
        metrics.pingSent();
        MetricsWindow first = metrics.cutWindow();
        assertThat(first.updatesReceived).isEqualTo(10);
        assertThat(first.updateGaps.getTotalCount()).isEqualTo(9);
        assertThat(first.pongsReceived).isEqualTo(1);

        feed(13, 13, 12, 150_000_000L); // 11, 12 lost
        feed(13, 13, 12, -1); // duplicate
        feed(14, 14, 999, 50_000_000L); // chain break
        feed(12, 12, 11, -1); // late
        MetricsWindow second = metrics.cutWindow();
        assertThat(second.updatesReceived).isEqualTo(4);
        assertThat(second.lost).isEqualTo(2);
        assertThat(second.unverifiableGaps).isEqualTo(1);
        assertThat(second.duplicated).isEqualTo(1);
        assertThat(second.chainBreaks).isEqualTo(1);
        assertThat(second.outOfOrder).isEqualTo(1);
        assertThat(second.pongsReceived).isZero();
        assertThat(second.highestTick).isEqualTo(14);

        MetricsWindow total = metrics.total();
        assertThat(total.updatesReceived).isEqualTo(14);
        assertThat(total.lost).isEqualTo(2);
        assertThat(total.updateGaps.getMaxValue())
                .isCloseTo(150_000L, org.assertj.core.api.Assertions.withinPercentage(0.1));
        assertThat(metrics.cutWindow().updatesReceived).isZero();
    }

    @Test
    void aggregateFlagsContinuityButNotLosses() {
        BotStats lossy = stats(0, 0, 0, 5, false);
        BotStats clean = stats(0, 0, 0, 0, false);
        assertThat(aggregate(lossy, clean).tickContinuityOk()).isTrue();
        assertThat(aggregate(lossy, clean).lost()).isEqualTo(5);
        assertThat(aggregate(clean, stats(1, 0, 0, 0, false)).tickContinuityOk()).isFalse();
        assertThat(aggregate(clean, stats(0, 1, 0, 0, false)).tickContinuityOk()).isFalse();
        assertThat(aggregate(clean, stats(0, 0, 1, 0, false)).tickContinuityOk()).isFalse();
        assertThat(aggregate(clean, stats(0, 0, 0, 0, true)).disconnected()).isEqualTo(1);
    }

    @Test
    void exportsJsonThatRoundTrips() {
        SwarmStats s =
                new SwarmStats(
                        2000.5,
                        aggregate(stats(0, 0, 0, 1, true)),
                        List.of(stats(0, 0, 0, 1, true)));
        String json = s.toJson();
        assertThat(json)
                .contains(
                        "\"tickContinuityOk\" : true",
                        "\"p99Ms\"",
                        "\"disconnectReason\" : \"gone\"",
                        "\"windowMs\" : 2000.5");
        assertThat(SwarmStats.fromJson(json)).isEqualTo(s);
    }

    private static AggregateStats aggregate(BotStats... bots) {
        return AggregateStats.of(
                List.of(bots), new LatencySummary(1, 1, 2, 3, 1.5), LatencySummary.EMPTY);
    }

    private static BotStats stats(
            long dup, long ooo, long breaks, long lost, boolean disconnected) {
        return new BotStats(
                0,
                "bot-0",
                1,
                LatencySummary.EMPTY,
                LatencySummary.EMPTY,
                100,
                lost,
                dup,
                ooo,
                breaks,
                lost > 0 ? 1 : 0,
                10,
                10,
                0,
                0,
                0,
                100,
                disconnected,
                disconnected ? "gone" : null);
    }
}
