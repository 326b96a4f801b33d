package io.livezone.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.livezone.sim.output.ResultWriter;
import io.livezone.sim.output.ScenarioResult;
import io.livezone.sim.output.Table;

import org.junit.jupiter.api.Test;

class FlashCrowdScenarioTest {
    @Test
    void theCrowdIsMetByResumingPoolVmsWhichGoBackWhenItLeaves() {
        ScenarioResult result = new FlashCrowdScenario().run(1);
        var summary = result.summary();
        assertThat((int) summary.get("resumes")).isGreaterThanOrEqualTo(7);
        // Peak 900 % at a 70 % target needs 13 VMs; 20 hosts, about 12 of them idle, and a pool
        // of 12 allow that many.
        assertThat((int) summary.get("max_active_vms")).isGreaterThanOrEqualTo(9);
        assertThat((int) summary.get("retires")).isGreaterThanOrEqualTo(5);
        assertThat((int) summary.get("active_vms_at_end")).isLessThanOrEqualTo(3);
        // The ramp outpaces 30-second windows for a while, but most demand is served.
        assertThat((double) summary.get("min_served_share")).isLessThan(1.0);
        assertThat((double) summary.get("served_share_overall")).isGreaterThan(0.85);

        Table series = result.table("series");
        double[] active = series.numbers("active_vms");
        double[] time = series.numbers("time_s");
        for (int i = 0; i < time.length; i++) {
            if (time[i] < 120) {
                assertThat(active[i]).isEqualTo(2);
            }
        }
        assertThat(ResultWriter.csv(new FlashCrowdScenario().run(1).table("series")))
                .isEqualTo(ResultWriter.csv(series));
    }

    @Test
    void badConfigIsRejected() {
        FlashCrowdScenario.Config d = FlashCrowdScenario.Config.defaults();
        assertThatThrownBy(
                        () ->
                                new FlashCrowdScenario.Config(
                                        0,
                                        d.maxBackgroundCpuPct(),
                                        1,
                                        d.poolSize(),
                                        d.baseDemandPct(),
                                        d.peakDemandPct(),
                                        d.demandNoisePct(),
                                        d.crowdStart(),
                                        d.rampUp(),
                                        d.peakHold(),
                                        d.rampDown(),
                                        d.resumeTime(),
                                        d.drainTime(),
                                        d.switching(),
                                        d.decisionPeriod(),
                                        d.duration()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no hosts: the flash-crowd scenario needs at least 1 host, got 0");
    }
}
