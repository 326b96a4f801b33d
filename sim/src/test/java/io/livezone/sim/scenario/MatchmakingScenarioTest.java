package io.livezone.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.sim.output.ScenarioResult;

import org.junit.jupiter.api.Test;

import java.time.Duration;

class MatchmakingScenarioTest {
    private static MatchmakingScenario.Config minutes(int minutes) {
        MatchmakingScenario.Config d = MatchmakingScenario.Config.defaults();
        return new MatchmakingScenario.Config(
                d.sites(),
                d.players(),
                d.regionSpreadMs(),
                d.baseRttMs(),
                d.jitterMs(),
                d.matchesPerSecond(),
                d.minGroup(),
                d.maxGroup(),
                d.localShare(),
                d.rematchShare(),
                d.maxRttMs(),
                Duration.ofMinutes(minutes),
                d.samplePeriod());
    }

    @Test
    void everyRequestIsPlacedOrRefusedAndRematchesHitTheCache() {
        ScenarioResult result = new MatchmakingScenario(minutes(2)).run(3);
        var summary = result.summary();
        int matches = (int) summary.get("matches");
        // 20 per second for 120 s, Poisson.
        assertThat(matches).isBetween(2000, 2800);
        assertThat((int) summary.get("placed") + (int) summary.get("unplaced")).isEqualTo(matches);
        assertThat((int) summary.get("placed")).isGreaterThan(matches * 3 / 4);
        assertThat((long) summary.get("cache_hits")).isPositive();
        // A fair server keeps players' RTTs within a few tens of ms of each other.
        assertThat((double) summary.get("mean_closeness_ms")).isBetween(1.0, 40.0);
        assertThat((double) summary.get("mean_rtt_ms")).isLessThan(180.0);
    }

    @Test
    void theBenchmarkPlacesPreGeneratedRequests() {
        assertThat(new MatchmakingScenario().placementMillis(1, 500)).isPositive();
    }
}
