package io.livezone.gateway.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

class RegionsTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    @Test
    void explicitClientAssignmentsWinOverHostAssignmentsWhichWinOverTheFunction() {
        ClientRegions regions = new ClientRegions(ClientRegions.byPort(List.of("eu", "us")));
        InetSocketAddress even = new InetSocketAddress(LO, 40000);
        InetSocketAddress odd = new InetSocketAddress(LO, 40001);
        assertThat(regions.regionOf(even)).isEqualTo("eu");
        assertThat(regions.regionOf(odd)).isEqualTo("us");
        regions.assign(LO, "asia");
        assertThat(regions.regionOf(even)).isEqualTo("asia");
        regions.assign(odd, "sa");
        assertThat(regions.regionOf(odd)).isEqualTo("sa");
        assertThat(regions.regionOf(even)).isEqualTo("asia");
    }

    @Test
    void aFunctionAnsweringNullMeansTheDefaultRegion() {
        ClientRegions regions = new ClientRegions(client -> null);
        assertThat(regions.regionOf(new InetSocketAddress(LO, 1)))
                .isEqualTo(ClientRegions.DEFAULT_REGION);
        assertThatThrownBy(() -> regions.assign(new InetSocketAddress(LO, 1), " "))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void latencyPerRegionAndSiteWithADefault() {
        RegionLatency latency =
                RegionLatency.builder()
                        .oneWay("eu", "paris", Duration.ofMillis(5))
                        .defaultDelay(Duration.ofMillis(50))
                        .build();
        assertThat(latency.oneWay("eu", "paris")).isEqualTo(Duration.ofMillis(5));
        assertThat(latency.oneWay("eu", "tokyo")).isEqualTo(Duration.ofMillis(50));
        assertThat(latency.oneWay("us", "paris")).isEqualTo(Duration.ofMillis(50));
        assertThat(latency.oneWayNanos("eu", null)).isEqualTo(50_000_000L);
        assertThat(RegionLatency.NONE.oneWay("eu", "paris")).isZero();
        assertThatThrownBy(() -> RegionLatency.builder().oneWay("eu", "x", Duration.ofMillis(-1)))
                .isInstanceOf(InvalidInputException.class);
    }
}
