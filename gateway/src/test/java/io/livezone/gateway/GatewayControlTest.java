package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.HttpSwitchoverGate;
import io.livezone.core.http.ApiException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.http.JsonHttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The control API a migrating host and the players' RTT reports use, over real HTTP. */
class GatewayControlTest {
    private static final String TOKEN = "0123456789abcdef0123";

    private Gateway gateway;
    private UdpEchoZone zone;
    private JsonHttpServer server;
    private GatewayControl control;
    private HttpSwitchoverGate gate;
    private JsonHttpClient http;
    private final List<GatewayControl.RttReport> forwarded = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        gateway = Gateway.start(GatewayConfig.loopback());
        zone = UdpEchoZone.start();
        control = new GatewayControl(gateway, forwarded::add);
        server =
                control.routes(
                                new JsonHttpServer(
                                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                        TOKEN))
                        .start();
        URI base = URI.create("http://127.0.0.1:" + server.address().getPort());
        gate = new HttpSwitchoverGate(base, TOKEN);
        http = new JsonHttpClient(base, TOKEN);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        gateway.close();
        zone.close();
    }

    @Test
    void aHoldKeepsTheTrafficUntilTheReleaseNamesTheNewSite() throws Exception {
        ZoneEndpoint endpoint = gateway.addZone("z1", zone.location("a"));
        try (UdpPlayers players = UdpPlayers.connect(3, endpoint.udp())) {
            assertThat(gate.hold("z1")).isTrue();
            assertThat(control.isHeld("z1")).isTrue();
            assertThatThrownBy(() -> gate.hold("z1"))
                    .isInstanceOf(ApiException.class)
                    .hasMessageContaining("already held");
            players.sendRound();
            await().atMost(Duration.ofSeconds(10))
                    .until(
                            () ->
                                    http.get("/v1/zones/z1/hold", JsonNode.class)
                                                    .path("heldPackets")
                                                    .asLong()
                                            == 3);
            assertThat(zone.received()).isZero();
            assertThat(gate.abortRequired("z1")).isFalse();

            gate.release("z1", "b");

            await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 3);
            assertThat(gateway.location("z1").orElseThrow().site()).isEqualTo("b");
            assertThat(control.isHeld("z1")).isFalse();
            JsonNode view = http.get("/v1/zones/z1", JsonNode.class);
            assertThat(view.path("site").asText()).isEqualTo("b");
            assertThat(view.path("port").asInt()).isEqualTo(endpoint.udp().getPort());
            assertThat(view.path("traffic").path("heldUdp").asLong()).isEqualTo(3);
            assertThatThrownBy(() -> gate.release("z1", "b"))
                    .isInstanceOf(ApiException.class)
                    .hasMessageContaining("not held");
        }
    }

    @Test
    void anAbortSendsWhatWasHeldBackToTheSource() throws Exception {
        ZoneEndpoint endpoint = gateway.addZone("z1", zone.location("a"));
        try (UdpPlayers players = UdpPlayers.connect(2, endpoint.udp())) {
            gate.hold("z1");
            players.sendRound();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> gateway.traffic("z1").heldUdp() == 2);
            gate.abort("z1");
            await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 2);
            assertThat(gateway.location("z1").orElseThrow().site()).isEqualTo("a");
            assertThat(control.isHeld("z1")).isFalse();
        }
    }

    @Test
    void aZoneTheGatewayDoesNotServeHasNothingToHold() {
        assertThat(gate.hold("nope")).isFalse();
        assertThat(control.isHeld("nope")).isFalse();
        assertThatThrownBy(() -> http.get("/v1/zones/nope", JsonNode.class))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("does not serve zone 'nope'");
    }

    @Test
    void badReleasesAndRttReportsAreRefusedAndChangeNothing() {
        gateway.addZone("z1", zone.location("a"));
        gate.hold("z1");
        assertThatThrownBy(() -> http.post("/v1/zones/z1/release", Map.of(), JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("site");
        assertThat(control.isHeld("z1")).isTrue();
        gate.abort("z1");

        for (Object bad :
                List.of(
                        Map.of("samples", List.of()),
                        Map.of("samples", List.of(Map.of("zone", "z1", "rttMs", 10))),
                        Map.of(
                                "samples",
                                List.of(Map.of("client", "c", "zone", "z1", "rttMs", -1))),
                        Map.of(
                                "samples",
                                List.of(
                                        Map.of("client", "c", "zone", "z1", "rttMs", 10),
                                        Map.of("client", "c", "zone", "z9", "rttMs", 10))))) {
            assertThatThrownBy(() -> http.post("/v1/rtt", bad, Void.class))
                    .as("%s", bad)
                    .isInstanceOf(RuntimeException.class);
        }
        assertThat(gateway.qos("z1").clients()).isZero();
        assertThat(forwarded).isEmpty();
    }

    @Test
    void rttReportsCountForTheZonesQosAndArePassedOn() {
        gateway.addZone("z1", zone.location("a"));
        http.post(
                "/v1/rtt",
                Map.of(
                        "samples",
                        List.of(
                                Map.of("client", "c1", "zone", "z1", "rttMs", 20.0),
                                Map.of("client", "c2", "zone", "z1", "rttMs", 200.0))),
                Void.class);
        assertThat(gateway.qos("z1").clients()).isEqualTo(2);
        assertThat(gateway.qos("z1").underThreshold()).isEqualTo(1);
        assertThat(forwarded).hasSize(1);
        assertThat(forwarded.get(0).samples()).hasSize(2);
    }

    @Test
    void playersArePutInRegionsByAddressAndBadAssignmentsChangeNothing() throws Exception {
        try (Gateway regional =
                        Gateway.start(
                                GatewayConfig.loopback().toBuilder()
                                        .regionLatency(
                                                io.livezone.gateway.latency.RegionLatency.builder()
                                                        .oneWay("eu", "a", Duration.ofMillis(5))
                                                        .oneWay("us", "a", Duration.ofMillis(40))
                                                        .build())
                                        .build());
                JsonHttpServer api =
                        new GatewayControl(regional, r -> {})
                                .routes(
                                        new JsonHttpServer(
                                                new InetSocketAddress(
                                                        InetAddress.getLoopbackAddress(), 0),
                                                TOKEN))
                                .start()) {
            JsonHttpClient client =
                    new JsonHttpClient(
                            URI.create("http://127.0.0.1:" + api.address().getPort()), TOKEN);
            InetSocketAddress player = new InetSocketAddress("127.0.0.1", 40000);
            String before = regional.regionOf(player);
            for (Map<String, ?> bad :
                    List.<Map<String, ?>>of(
                            Map.of("host", "127.0.0.1", "region", "asia"),
                            Map.of("host", "localhost", "region", "us"),
                            Map.of("host", "127.0.0.1", "port", 70000, "region", "us"),
                            Map.of("region", "us"))) {
                assertThatThrownBy(() -> client.post("/v1/regions", bad, JsonNode.class))
                        .as("%s", bad)
                        .isInstanceOf(InvalidInputException.class);
                assertThat(regional.regionOf(player)).isEqualTo(before);
            }
            client.post(
                    "/v1/regions",
                    Map.of("host", "127.0.0.1", "port", 40000, "region", "eu"),
                    JsonNode.class);
            assertThat(regional.regionOf(player)).isEqualTo("eu");
            client.post("/v1/regions", Map.of("host", "127.0.0.1", "region", "us"), JsonNode.class);
            assertThat(regional.regionOf(new InetSocketAddress("127.0.0.1", 40001)))
                    .isEqualTo("us");
            assertThat(regional.regionOf(player)).as("the exact address wins").isEqualTo("eu");
        }
    }

    @Test
    void everyRouteButNoneNeedsTheTokenAndMetricsAreServed() throws Exception {
        gateway.addZone("z1", zone.location("a"));
        HttpClient client = HttpClient.newHttpClient();
        URI base = URI.create("http://127.0.0.1:" + server.address().getPort());
        HttpResponse<String> anonymous =
                client.send(
                        HttpRequest.newBuilder(base.resolve("/v1/zones/z1/hold"))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(control.isHeld("z1")).isFalse();
        HttpResponse<String> metrics =
                client.send(
                        HttpRequest.newBuilder(base.resolve("/metrics"))
                                .header("Authorization", "Bearer " + TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("z1");
    }
}
