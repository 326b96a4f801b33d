package io.livezone.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

class SimBenchmarkTest {
    @Test
    void theBenchmarkReportsTheScenarioFiguresUnderTheCliKeys() throws Exception {
        SimBenchmarkResult result = SimBenchmark.run(1);

        assertThat(result.lbMaxNodeCpuPctWithout()).isGreaterThan(95);
        assertThat(result.lbMaxAbsDevFromMeanPctWith()).isLessThanOrEqualTo(10);
        assertThat(result.lbMaxAbsDevFromMeanPctWith())
                .as("the maximum over the run is at least its last sample")
                .isGreaterThanOrEqualTo(result.lbLastAbsDevFromMeanPctWith());
        assertThat(result.lbDevWarmUpS()).isEqualTo(SimBenchmark.LB_WARM_UP.toSeconds());
        assertThat(result.lbMaxNodeCpuPctWith()).isLessThan(result.lbMaxNodeCpuPctWithout());
        assertThat(result.lbMigrations()).isPositive();
        assertThat(result.mappingQosBefore()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(result.mappingQosAfter()).isEqualTo(1.0);
        assertThat(result.lbScenarioWallS()).isPositive();
        assertThat(result.mapping1000z100s100kcMs()).isPositive();
        assertThat(result.equiping10kMatchesMs()).isPositive();

        JsonNode json = new ObjectMapper().readTree(result.toJson());
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys)
                .containsExactly(
                        "lb_scenario_wall_s",
                        "lb_max_node_cpu_pct_without",
                        "lb_max_node_cpu_pct_with",
                        "lb_max_abs_dev_from_mean_pct_with",
                        "lb_dev_warm_up_s",
                        "lb_last_abs_dev_from_mean_pct_with",
                        "lb_migrations",
                        "mapping_qos_before",
                        "mapping_qos_after",
                        "mapping_1000z_100s_100kc_ms",
                        "equiping_10k_matches_ms");
        assertThat(json.get("lb_migrations").asInt()).isEqualTo(result.lbMigrations());
    }
}
