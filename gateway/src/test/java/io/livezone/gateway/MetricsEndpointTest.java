package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.livezone.gateway.latency.QosPolicy;
import io.livezone.gateway.metrics.MetricsEndpoint;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

class MetricsEndpointTest {

    @Test
    void servesQosAndTrafficCountersForPrometheus() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone zone = UdpEchoZone.start();
                MetricsEndpoint metrics =
                        MetricsEndpoint.start(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                gateway.meterRegistry())) {
            ZoneEndpoint endpoint = gateway.addZone("z1", zone.location("site-a"));
            try (UdpPlayers players = UdpPlayers.connect(2, endpoint.udp())) {
                players.sendRound();
                await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 2);
            }
            gateway.recordRtt("z1", "alice", Duration.ofMillis(20));
            gateway.recordRtt("z1", "bob", Duration.ofMillis(50));
            gateway.recordRtt("z1", "carol", Duration.ofMillis(120));
            assertThat(gateway.qos("z1").ratio()).isEqualTo(2.0 / 3);

            HttpResponse<String> response = get(metrics, "/metrics", "GET");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .contains(MetricsEndpoint.CONTENT_TYPE);
            assertThat(response.body())
                    .contains("livezone_gateway_qos_ratio{zone=\"z1\"} 0.666")
                    .contains("livezone_gateway_qos_overall_ratio 0.666")
                    .contains("livezone_gateway_qos_clients{zone=\"z1\"} 3")
                    .contains("livezone_gateway_qos_threshold_seconds 0.08")
                    .contains("livezone_gateway_client_rtt_seconds_count{zone=\"z1\"} 3")
                    .contains(
                            "livezone_gateway_forwarded_total{direction=\"to_zone\",protocol=\"udp\",zone=\"z1\"}"
                                + " 2")
                    .contains(
                            "livezone_gateway_forwarded_total{direction=\"to_client\",protocol=\"udp\",zone=\"z1\"}"
                                + " 2")
                    .contains("livezone_gateway_held_total{protocol=\"udp\",zone=\"z1\"} 0")
                    .contains("livezone_gateway_dropped_malformed_total{zone=\"z1\"} 0")
                    .contains("livezone_gateway_unknown_zone_total{protocol=\"udp\",zone=\"z1\"} 0")
                    .contains("livezone_gateway_held_packets_max{zone=\"z1\"} 0")
                    .contains("livezone_gateway_udp_sessions{zone=\"z1\"} 2");

            assertThat(get(metrics, "/other", "GET").statusCode()).isEqualTo(404);
            assertThat(get(metrics, "/metrics", "POST").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void theQosThresholdIsConfigurable() throws Exception {
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder()
                        .qos(QosPolicy.DEFAULT.withThreshold(Duration.ofMillis(30)))
                        .build();
        try (Gateway gateway = Gateway.start(config)) {
            gateway.recordRtt("z1", "alice", Duration.ofMillis(20));
            gateway.recordRtt("z1", "bob", Duration.ofMillis(50));
            gateway.recordRtt("z2", "carol", Duration.ofMillis(10));
            assertThat(gateway.qos("z1").ratio()).isEqualTo(0.5);
            assertThat(gateway.latency().overall().ratio()).isEqualTo(2.0 / 3);
            assertThat(gateway.meterRegistry().scrape())
                    .contains("livezone_gateway_qos_threshold_seconds 0.03");
        }
    }

    private static HttpResponse<String> get(MetricsEndpoint metrics, String path, String method)
            throws Exception {
        InetSocketAddress a = metrics.address();
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(
                    HttpRequest.newBuilder(
                                    URI.create(
                                            "http://"
                                                    + a.getAddress().getHostAddress()
                                                    + ":"
                                                    + a.getPort()
                                                    + path))
                            .method(method, HttpRequest.BodyPublishers.noBody())
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
