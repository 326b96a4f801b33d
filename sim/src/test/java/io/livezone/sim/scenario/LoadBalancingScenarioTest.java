package io.livezone.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.LoadBalancerConfig;
import io.livezone.sim.cluster.MigrationCost;
import io.livezone.sim.output.ResultWriter;

import org.junit.jupiter.api.Test;

import java.time.Duration;

class LoadBalancingScenarioTest {
    private final LoadBalancingScenario scenario = new LoadBalancingScenario();

    @Test
    void withoutBalancingTheCornerHostsOverheatAndWithItEveryHostEndsNearTheMean() {
        LoadBalancingScenario.Outcome outcome = scenario.simulate(1);

        LoadBalancingScenario.Run without = outcome.without();
        assertThat(without.maxHostCpuPct()).isGreaterThan(95);
        assertThat(without.migrations()).isZero();
        assertThat(without.finalQos()).isLessThan(0.5);
        // The corner hosts n0 and n4 are the hot ones; n2, in the middle, empties.
        var last = without.series().rows().get(without.series().rows().size() - 1);
        int cpu0 = without.series().columnIndex("cpu_n0");
        assertThat((double) last.get(cpu0)).isGreaterThan(95);
        assertThat((double) last.get(cpu0 + 4)).isGreaterThan(95);
        assertThat((double) last.get(cpu0 + 2)).isLessThan(20);

        LoadBalancingScenario.Run with = outcome.with();
        assertThat(with.finalMaxAbsDevPct()).isLessThanOrEqualTo(10);
        assertThat(with.maxAbsDevPctAfter(Duration.ofMinutes(1)))
                .as("every sample after a minute, not only the last")
                .isLessThanOrEqualTo(10)
                .isGreaterThanOrEqualTo(with.finalMaxAbsDevPct())
                .isLessThanOrEqualTo(with.maxAbsDevPctAfter(Duration.ZERO));
        assertThatThrownBy(() -> with.maxAbsDevPctAfter(Duration.ofHours(1)))
                .hasMessageContaining("no sample after a warm-up");
        assertThat(with.maxHostCpuPct()).isLessThan(LoadBalancerConfig.DEFAULT_CRITICAL_LOAD_PCT);
        assertThat(with.migrations()).isPositive();
        assertThat(with.migrationLog().rows()).hasSize(with.migrations());
        assertThat(with.minQos()).isEqualTo(1.0);
        assertThat(with.finalMeanCpuPct()).isCloseTo(without.finalMeanCpuPct(), within(1e-6));
    }

    @Test
    void theBandIsReachedForOtherSeedsToo() {
        for (long seed = 2; seed <= 4; seed++) {
            LoadBalancingScenario.Outcome outcome = scenario.simulate(seed);
            assertThat(outcome.without().maxHostCpuPct()).as("seed %d", seed).isGreaterThan(95);
            assertThat(outcome.with().finalMaxAbsDevPct())
                    .as("seed %d", seed)
                    .isLessThanOrEqualTo(10);
        }
    }

    @Test
    void theSameSeedGivesIdenticalCsvAndAnotherSeedDoesNot() {
        LoadBalancingScenario.Outcome first = scenario.simulate(7);
        LoadBalancingScenario.Outcome again = scenario.simulate(7);
        LoadBalancingScenario.Outcome other = scenario.simulate(8);
        assertThat(ResultWriter.csv(again.with().series()))
                .isEqualTo(ResultWriter.csv(first.with().series()));
        assertThat(ResultWriter.csv(again.with().migrationLog()))
                .isEqualTo(ResultWriter.csv(first.with().migrationLog()));
        assertThat(ResultWriter.csv(again.without().series()))
                .isEqualTo(ResultWriter.csv(first.without().series()));
        assertThat(ResultWriter.csv(other.with().series()))
                .isNotEqualTo(ResultWriter.csv(first.with().series()));
    }

    @Test
    void badConfigIsRejectedWithAClearMessage() {
        LoadBalancingScenario.Config paper = LoadBalancingScenario.Config.paper();
        assertThatThrownBy(() -> config(paper, 10, 0, 0.029))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no hosts: the load-balancing scenario needs at least 1 host, got 0");
        assertThatThrownBy(() -> config(paper, 2, 5, 0.029))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a 2×2 grid cannot give each of 5 hosts a zone");
        assertThatThrownBy(() -> config(paper, 10, 5, -0.1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("zone CPU costs must be finite and >= 0 %");
        assertThatThrownBy(() -> paper.withDrift(Duration.ZERO, Duration.ZERO))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("drift must be at least 1 ms, got PT0S");
        assertThatThrownBy(
                        () ->
                                new LoadBalancerConfig(
                                        -1,
                                        5,
                                        Duration.ZERO,
                                        Duration.ofSeconds(1),
                                        Duration.ofSeconds(1)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("critical load threshold");
    }

    private static LoadBalancingScenario.Config config(
            LoadBalancingScenario.Config base, int grid, int hosts, double perClient) {
        return new LoadBalancingScenario.Config(
                grid,
                hosts,
                base.clients(),
                base.drift(),
                base.hold(),
                Math.min(base.cornerRadiusZones(), grid),
                base.zoneBaseCpuPct(),
                perClient,
                base.qosCpuLimitPct(),
                base.balancer(),
                base.reportPeriod(),
                base.messageDelay(),
                MigrationCost.defaults(),
                base.clientStep(),
                base.samplePeriod());
    }
}
