package io.livezone.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

class PlannerBenchmarkTest {

    @Test
    void sameSeedSameFleet() {
        assertThat(PlannerBenchmark.fleet(7, 300, 30))
                .isEqualTo(PlannerBenchmark.fleet(7, 300, 30));
        assertThat(PlannerBenchmark.fleet(7, 300, 30))
                .isNotEqualTo(PlannerBenchmark.fleet(8, 300, 30));
    }

    @Test
    void fleetLooksLikeTheDescription() {
        PlanInput fleet = PlannerBenchmark.fleet(3, 2_000, 200);

        assertThat(fleet.moves()).hasSize(2_000);
        assertThat(fleet.hosts()).hasSize(200);
        assertThat(fleet.hosts().stream().map(Host::site).distinct()).hasSize(5);
        assertThat(fleet.hosts())
                .allMatch(
                        h ->
                                h.nicBytesPerSec() >= 125_000_000
                                        && h.nicBytesPerSec() <= 1_250_000_000);
        assertThat(fleet.moves())
                .allMatch(m -> m.memoryBytes() >= 1L << 30 && m.memoryBytes() <= 8L << 30);
    }

    @Test
    void reportsEveryPolicyAndAutoWins() {
        PlannerBenchmark.Result result = PlannerBenchmark.run(1, 1_500, 150);

        assertThat(result.moves()).isEqualTo(1_500);
        assertThat(result.hosts()).isEqualTo(150);
        assertThat(result.makespanSeconds()).containsOnlyKeys("auto", "parallel", "sequential");
        double auto = result.makespanSeconds().get("auto");
        assertThat(auto)
                .isLessThan(result.makespanSeconds().get("parallel"))
                .isLessThan(result.makespanSeconds().get("sequential"))
                .isLessThanOrEqualTo(1.15 * result.lowerBound().seconds());
        assertThat(result.toJson())
                .startsWith(
                        "{\"moves\":1500,\"hosts\":150,\"plan_ms\":" + result.planMillis() + ",")
                .contains("\"makespan_s\":{\"auto\":")
                .endsWith("\"seed\":1}")
                .doesNotContain("\n");
    }

    @Test
    void rejectsAFleetTooSmallToMoveAnything() {
        assertThatThrownBy(() -> PlannerBenchmark.fleet(1, 10, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least 2 hosts");
    }
}
