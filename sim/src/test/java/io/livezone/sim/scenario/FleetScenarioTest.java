package io.livezone.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.policy.LoadBalancerConfig;
import io.livezone.sim.cluster.MigrationCost;
import io.livezone.sim.output.ResultWriter;
import io.livezone.sim.output.ScenarioResult;
import io.livezone.sim.output.Table;

import org.junit.jupiter.api.Test;

import java.time.Duration;

class FleetScenarioTest {
    /** A quarter of the default fleet over 10 minutes keeps the test quick. */
    private static final FleetScenario.Config SMALL =
            new FleetScenario.Config(
                    50,
                    1000,
                    2.5,
                    0.6,
                    0.1,
                    3,
                    Duration.ofMinutes(3),
                    Duration.ofMinutes(3),
                    5,
                    Duration.ofMinutes(6),
                    3,
                    LoadBalancerConfig.defaults(),
                    Duration.ofSeconds(5),
                    Duration.ofMillis(1),
                    MigrationCost.defaults(),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    Duration.ofMinutes(10));

    @Test
    void joiningHostsFillUpDrainingHostsLeaveAndTheSpreadShrinks() {
        ScenarioResult result = new FleetScenario(SMALL).run(5);
        var summary = result.summary();
        assertThat(summary.get("drained_hosts_left")).isEqualTo(3);
        assertThat(summary.get("hosts_at_end")).isEqualTo(52);
        Table series = result.table("series");
        double[] stddev = series.numbers("stddev_cpu");
        double[] min = series.numbers("min_cpu");
        double[] time = series.numbers("time_s");
        assertThat(stddev[stddev.length - 1]).isLessThan(stddev[0] / 2);
        // The five hosts that joined empty at 3 min are no longer far below the rest by 6 min.
        for (int i = 0; i < time.length; i++) {
            if (time[i] == 360) {
                assertThat(min[i]).isGreaterThan(25);
            }
        }
        Table hosts = result.table("hosts");
        double[] cpu = hosts.numbers("cpu_pct");
        assertThat(cpu).hasSize(52);
        assertThat(ResultWriter.csv(new FleetScenario(SMALL).run(5).table("series")))
                .isEqualTo(ResultWriter.csv(series));
    }
}
