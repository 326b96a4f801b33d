package io.livezone.sim;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;

/**
 * What {@code livezone bench sim --json} prints, under exactly these JSON keys (Jackson serialises
 * the record with them; {@link #toJson()} does so).
 *
 * @param lbScenarioWallS wall-clock seconds to simulate the load-balancing scenario, both runs
 * @param lbMaxNodeCpuPctWithout the hottest host's peak CPU demand without load balancing
 * @param lbMaxNodeCpuPctWith the hottest host's peak CPU demand with it
 * @param lbMaxAbsDevFromMeanPctWith over the run with balancing, after {@code lbDevWarmUpS}, the
 *     largest distance of any host's CPU from the mean at any sample, in percentage points
 * @param lbDevWarmUpS seconds of the run before that maximum is taken
 * @param lbLastAbsDevFromMeanPctWith the same distance in the run's last sample only (what earlier
 *     versions reported as the maximum)
 * @param lbMigrations migrations the balancer made
 * @param mappingQosBefore §6.3 case: share of clients under 80 ms before remapping
 * @param mappingQosAfter and after, as decided by ZoneMappingPolicy
 * @param mapping1000z100s100kcMs ZoneMappingPolicy.decide on 1,000 zones, 100 servers, 100,000
 *     clients (median of 3 after a warm-up; snapshot building not included)
 * @param equiping10kMatchesMs EquiPingPlacement.choose for 10,000 match requests (generation not
 *     included)
 */
@JsonPropertyOrder({
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
    "equiping_10k_matches_ms"
})
public record SimBenchmarkResult(
        @JsonProperty("lb_scenario_wall_s") double lbScenarioWallS,
        @JsonProperty("lb_max_node_cpu_pct_without") double lbMaxNodeCpuPctWithout,
        @JsonProperty("lb_max_node_cpu_pct_with") double lbMaxNodeCpuPctWith,
        @JsonProperty("lb_max_abs_dev_from_mean_pct_with") double lbMaxAbsDevFromMeanPctWith,
        @JsonProperty("lb_dev_warm_up_s") long lbDevWarmUpS,
        @JsonProperty("lb_last_abs_dev_from_mean_pct_with") double lbLastAbsDevFromMeanPctWith,
        @JsonProperty("lb_migrations") int lbMigrations,
        @JsonProperty("mapping_qos_before") double mappingQosBefore,
        @JsonProperty("mapping_qos_after") double mappingQosAfter,
        @JsonProperty("mapping_1000z_100s_100kc_ms") double mapping1000z100s100kcMs,
        @JsonProperty("equiping_10k_matches_ms") double equiping10kMatchesMs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One-line JSON object with the keys above. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
