package io.livezone.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.coordinator.dashboard.DashboardSnapshot.ZoneRtt;
import io.livezone.core.snapshot.ClientInfo;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class ClientQosTest {
    private static final Map<String, String> PLACEMENT = new LinkedHashMap<>();

    static {
        PLACEMENT.put("za", "h1");
        PLACEMENT.put("zb", "h3");
    }

    @Test
    void qosIsTheShareOfPlayersUnderTheThresholdToTheirZonesHost() {
        var result =
                ClientQos.measure(
                        7,
                        80,
                        PLACEMENT,
                        List.of(
                                new ClientInfo("p1", "za", Map.of("h1", 30.0, "h3", 150.0)),
                                new ClientInfo("p2", "za", Map.of("h1", 79.9)),
                                new ClientInfo("p3", "za", Map.of("h1", 80.0)),
                                // no RTT to h3 measured: counts as over the threshold
                                new ClientInfo("p4", "zb", Map.of("h1", 10.0)),
                                // a zone deleted since: not counted at all
                                new ClientInfo("p5", "gone", Map.of("h1", 10.0))));

        assertThat(result.sample().atMillis()).isEqualTo(7);
        assertThat(result.sample().clients()).isEqualTo(4);
        assertThat(result.sample().underThreshold()).isEqualTo(2);
        assertThat(result.sample().qos()).isEqualTo(0.5);
        ZoneRtt za = result.zone("za").orElseThrow();
        assertThat(za.host()).isEqualTo("h1");
        assertThat(za.clients()).isEqualTo(3);
        assertThat(za.measured()).isEqualTo(3);
        assertThat(za.p50Ms()).isEqualTo(79.9);
        assertThat(za.maxMs()).isEqualTo(80.0);
        // buckets 0-20, 20-40, 40-60, 60-80, 80-100, ...
        assertThat(za.histogram()).containsExactly(0, 1, 0, 1, 1, 0, 0, 0, 0);
        ZoneRtt zb = result.zone("zb").orElseThrow();
        assertThat(zb.clients()).isEqualTo(1);
        assertThat(zb.measured()).isZero();
        assertThat(zb.p50Ms()).isNull();
        assertThat(result.zones()).extracting(ZoneRtt::zone).containsExactly("za", "zb");
    }

    @Test
    void withoutPlayersThereIsNoQosFigure() {
        var result = ClientQos.measure(1, 80, PLACEMENT, List.of());

        assertThat(result.sample().clients()).isZero();
        assertThat(result.sample().qos()).isNull();
        assertThat(result.zones()).hasSize(2).allMatch(z -> z.clients() == 0);
    }

    @Test
    void percentilesAreNearestRank() {
        List<Double> sorted = List.of(10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0);

        assertThat(ClientQos.percentile(sorted, 0.5)).isEqualTo(50.0);
        assertThat(ClientQos.percentile(sorted, 0.9)).isEqualTo(90.0);
        assertThat(ClientQos.percentile(List.of(5.0), 0.9)).isEqualTo(5.0);
        assertThat(ClientQos.percentile(List.of(), 0.5)).isNull();
    }
}
