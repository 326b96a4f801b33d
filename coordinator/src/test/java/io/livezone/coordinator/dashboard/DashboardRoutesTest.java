package io.livezone.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.api.CoordinatorServer;
import io.livezone.coordinator.plan.Dispatchers;
import io.livezone.coordinator.registry.Store;
import io.livezone.coordinator.testing.FakeAgents;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.http.JsonHttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The dashboard's routes on a real coordinator API over loopback, with fake agents. */
@Timeout(30)
class DashboardRoutesTest {
    private static final String TOKEN = "dashboard-test-token-0123456789";
    private static final String CONFIG =
            """
            sites:
              - name: eu
                hosts: [{name: h1, memory: 1GiB}, {name: h2, memory: 1GiB}]
              - name: us
                hosts: [{name: h3, memory: 1GiB}]
            links:
              - {between: [eu, us], latency: 20ms, jitter: 2ms, bandwidth: 100mbit}
            """;

    private final FakeAgents agents = new FakeAgents();
    private final HttpClient http = HttpClient.newHttpClient();
    private Coordinator coordinator;
    private CoordinatorServer server;
    private JsonHttpClient api;
    private URI base;

    @BeforeEach
    void start() {
        coordinator =
                new Coordinator(
                        Store.inMemory(),
                        Ipv4Interface.parse("10.213.6.1/24"),
                        60_000,
                        registry -> agents,
                        Dispatchers::create);
        coordinator.apply(ClusterConfig.parse(CONFIG));
        server =
                new CoordinatorServer(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        TOKEN,
                        coordinator);
        base = URI.create("http://127.0.0.1:" + server.address().getPort());
        api = new JsonHttpClient(base, TOKEN);
        for (var h : List.of(List.of("h1", "eu"), List.of("h2", "eu"), List.of("h3", "us"))) {
            api.post(
                    "/v1/agents/heartbeat",
                    TestCluster.heartbeat(h.get(0), h.get(1), System.currentTimeMillis()),
                    JsonNode.class);
        }
    }

    @AfterEach
    void stop() {
        server.close();
        coordinator.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageAndItsChartLibraryAreServedWithoutTheTokenUnderAStrictPolicy() throws Exception {
        HttpResponse<String> root = get("/");
        HttpResponse<String> page = get("/dashboard/");
        HttpResponse<String> script = get("/dashboard/dashboard.js");
        HttpResponse<String> chart = get("/dashboard/lib/chart.umd.js");

        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/dashboard/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
        assertThat(page.body()).contains("<title>LiveZone dashboard</title>");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type"))
                .hasValue("text/javascript; charset=utf-8");
        assertThat(chart.statusCode()).isEqualTo(200);
        assertThat(chart.body()).contains("Chart.js v4");
        assertThat(get("/dashboard/nothing.js").statusCode()).isEqualTo(404);
        assertThat(get("/dashboard/..%2Fdashboard.js").statusCode()).isIn(401, 404);
        assertThat(get("/dashboard/Dashboard.class").statusCode()).isEqualTo(404);
    }

    @Test
    void theDataRoutesNeedTheToken() throws Exception {
        for (String path : List.of("/v1/events", "/v1/dashboard", "/v1/qos")) {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(base.resolve(path + "?token=" + TOKEN)).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void theEventStreamPushesSnapshotsOfTheFleet() throws Exception {
        api.post("/v1/zones", Map.of("name", "za", "host", "h1"), JsonNode.class);
        HttpResponse<InputStream> r =
                http.send(
                        HttpRequest.newBuilder(base.resolve("/v1/events"))
                                .header("Authorization", "Bearer " + TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValue("text/event-stream; charset=utf-8");
        try (var in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            JsonNode first = nextSnapshot(in);
            JsonNode second = nextSnapshot(in);

            assertThat(first.path("hosts").findValuesAsText("name"))
                    .containsExactly("h1", "h2", "h3");
            assertThat(first.path("hosts").get(0).path("zones").toString()).isEqualTo("[\"za\"]");
            assertThat(first.path("zones").get(0).path("host").asText()).isEqualTo("h1");
            assertThat(first.path("policies").get(0).path("name").asText())
                    .isEqualTo("zone-mapping");
            assertThat(second.path("atMillis").asLong())
                    .isGreaterThan(first.path("atMillis").asLong());
        }
    }

    @Test
    void qosFollowsThePlayersReportedRtts() {
        api.post("/v1/zones", Map.of("name", "za", "host", "h1"), JsonNode.class);
        api.post(
                "/v1/clients/rtt",
                Map.of(
                        "samples",
                        List.of(
                                Map.of("client", "p1", "zone", "za", "site", "eu", "rttMs", 30.0),
                                Map.of("client", "p2", "zone", "za", "site", "eu", "rttMs", 95.0),
                                Map.of("client", "p3", "zone", "za", "site", "us", "rttMs", 10.0))),
                Void.class);

        JsonNode snapshot = api.get("/v1/dashboard", JsonNode.class);
        JsonNode qos =
                await().atMost(Duration.ofSeconds(10))
                        .until(
                                () -> api.get("/v1/qos", JsonNode.class),
                                q -> {
                                    JsonNode s = q.path("series");
                                    return !s.isEmpty()
                                            && s.get(s.size() - 1).path("clients").asInt() == 3;
                                });

        assertThat(snapshot.at("/qos/latest/clients").asInt()).isEqualTo(3);
        assertThat(snapshot.at("/qos/latest/underThreshold").asInt()).isEqualTo(1);
        assertThat(snapshot.at("/zones/0/clients").asInt()).isEqualTo(3);
        assertThat(snapshot.at("/zones/0/rttP50Ms").asDouble()).isEqualTo(30.0);
        assertThat(qos.path("thresholdMs").asDouble()).isEqualTo(80.0);
        JsonNode last = qos.path("series").get(qos.path("series").size() - 1);
        assertThat(last.path("qos").asDouble()).isCloseTo(1 / 3.0, within());
        assertThat(qos.at("/zones/0/histogram").toString()).isEqualTo("[0,1,0,0,1,0,0,0,0]");
    }

    @Test
    void decisionsOfThePoliciesAreKept() {
        api.post("/v1/policies/zone-mapping/run", null, JsonNode.class);
        api.post("/v1/policies/zone-mapping/run", null, JsonNode.class);

        JsonNode policy = api.get("/v1/dashboard", JsonNode.class).at("/policies/0");

        assertThat(policy.path("enabled").asBoolean()).isFalse();
        assertThat(policy.path("decisions").size()).isBetween(1, 2);
        assertThat(policy.at("/decisions/0/reason").asText()).isNotBlank();
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }

    private static JsonNode nextSnapshot(BufferedReader in) throws Exception {
        String event = null;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("event: snapshot")) {
                event = "snapshot";
            } else if (event != null && line.startsWith("data: ")) {
                return JsonHttpServer.JSON.readTree(line.substring("data: ".length()));
            }
        }
        throw new AssertionError("the stream ended");
    }
}
