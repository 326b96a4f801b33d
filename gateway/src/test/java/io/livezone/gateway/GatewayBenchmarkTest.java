package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

class GatewayBenchmarkTest {

    @Test
    void reportsAddedLatencyAndThroughput() throws Exception {
        GatewayBenchmark.Result result = GatewayBenchmark.run(200, 1);
        assertThat(result.clients()).isEqualTo(200);
        assertThat(result.latencySamples()).isPositive();
        assertThat(result.directP50Micros()).isPositive();
        assertThat(result.gatewayP50Micros()).isPositive();
        assertThat(result.gatewayP99Micros()).isGreaterThanOrEqualTo(result.gatewayP50Micros());
        assertThat(result.forwardedPackets()).isPositive();
        assertThat(result.packetsPerSecond()).isPositive();
        // Loopback with 4 MiB socket buffers and a bounded window in flight: nothing may go
        // missing, neither on the way nor inside the gateway.
        assertThat(result.lostPackets()).isZero();
        assertThat(result.gatewayDrops()).isZero();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> GatewayBenchmark.run(0, 1))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> GatewayBenchmark.run(10, 0))
                .isInstanceOf(InvalidInputException.class);
    }
}
