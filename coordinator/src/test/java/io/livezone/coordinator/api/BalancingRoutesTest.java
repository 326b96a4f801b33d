package io.livezone.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.plan.Dispatchers;
import io.livezone.coordinator.registry.Store;
import io.livezone.coordinator.testing.FakeAgents;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.ZoneState;
import io.livezone.core.cluster.ConductorStatus;
import io.livezone.core.cluster.Heartbeat;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.ZoneLoad;
import io.livezone.core.http.JsonHttpClient;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Monitoring on a real coordinator whose agents are fakes: the Prometheus metrics built from
 * heartbeats, plans and the RTT feed, and the load-balancing conductors' reports.
 */
@Timeout(30)
class BalancingRoutesTest {
    private static final String TOKEN = "balancing-test-token-0123456789";
    private static final String CONFIG =
            """
            sites:
              - name: eu
                hosts: [{name: h1, memory: 1GiB}, {name: h2, memory: 1GiB}]
              - name: us
                hosts: [{name: h3, memory: 1GiB}]
            """;

    private final FakeAgents agents = new FakeAgents();
    private Coordinator coordinator;
    private CoordinatorServer server;
    private JsonHttpClient api;

    @BeforeEach
    void start() {
        coordinator =
                new Coordinator(
                        Store.inMemory(),
                        Ipv4Interface.parse("10.213.5.1/24"),
                        60_000,
                        registry -> agents,
                        Dispatchers::create);
        coordinator.apply(ClusterConfig.parse(CONFIG));
        server =
                new CoordinatorServer(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        TOKEN,
                        coordinator);
        api = new JsonHttpClient(base(), TOKEN);
        heartbeat("h1", "eu", List.of());
        heartbeat("h2", "eu", List.of());
        heartbeat("h3", "us", List.of());
    }

    @AfterEach
    void stop() {
        server.close();
        coordinator.close();
    }

    @Test
    void metricsShowHostsZonesPlansAndQosWithoutAToken() throws Exception {
        api.post("/v1/zones", Map.of("name", "za", "host", "h1"), JsonNode.class);
        heartbeat(
                "h1",
                "eu",
                List.of(new ZoneLoad("za", ZoneState.RUNNING, 7.5, 200L << 20, 192L << 20)));
        long plan =
                api.post("/v1/zones/za/migrate", Map.of("to", "h2"), JsonNode.class)
                        .path("plan")
                        .path("id")
                        .asLong();
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                api.get("/v1/plans/" + plan, JsonNode.class)
                                        .path("plan")
                                        .path("state")
                                        .asText()
                                        .equals("DONE"));
        // Three players of za: two near site eu (where it runs now), one far.
        api.post(
                "/v1/clients/rtt",
                Map.of(
                        "samples",
                        List.of(
                                Map.of("client", "p1", "zone", "za", "site", "eu", "rttMs", 20.0),
                                Map.of("client", "p2", "zone", "za", "site", "eu", "rttMs", 40.0),
                                Map.of(
                                        "client", "p3", "zone", "za", "site", "eu", "rttMs",
                                        150.0))),
                Void.class);

        HttpResponse<String> r = scrape();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(r.body())
                .contains("livezone_host_up{host=\"h1\",site=\"eu\"} 1.0")
                .contains("livezone_host_cpu_percent{host=\"h1\",site=\"eu\"} 7.5")
                .contains("livezone_host_memory_total_bytes{host=\"h3\",site=\"us\"} 1.073741824E9")
                .contains("livezone_host_nic_received_bytes_total{host=\"h1\",site=\"eu\"} 1000.0")
                .contains(
                        "livezone_host_nic_transmitted_bytes_total{host=\"h1\",site=\"eu\"} 2000.0")
                .contains("livezone_zone_cpu_percent{host=\"h1\",zone=\"za\"} 7.5")
                .contains("livezone_zone_memory_resident_bytes{host=\"h1\",zone=\"za\"}")
                .contains("livezone_zone_placement{host=\"h2\",state=\"RUNNING\",zone=\"za\"} 1.0")
                .contains("livezone_host_zones{host=\"h2\",site=\"eu\"} 1.0")
                .contains("livezone_plans{state=\"DONE\"} 1.0")
                .contains("livezone_moves{state=\"DONE\"} 1.0")
                .contains("livezone_zone_clients{host=\"h2\",zone=\"za\"} 3.0")
                .contains("livezone_zone_client_rtt_max_seconds{host=\"h2\",zone=\"za\"} 0.15")
                .contains("livezone_zone_qos{host=\"h2\",zone=\"za\"} 0.666")
                .contains("livezone_qos 0.666")
                .contains("livezone_qos_threshold_seconds 0.08");
        // Another heartbeat replaces the figures; the zone left h1's report.
        heartbeat("h1", "eu", List.of());
        assertThat(scrape().body())
                .doesNotContain("livezone_zone_cpu_percent{host=\"h1\",zone=\"za\"}");
    }

    @Test
    void conductorReportsAreShownAndExported() throws Exception {
        long before = System.currentTimeMillis();
        // h1's clock is an hour behind: a report's age counts from its arrival, not its stamp.
        api.post(
                "/v1/agents/h1/conductor",
                status("h1", List.of("h1", "h2"), before - 3_600_000),
                Void.class);
        api.post("/v1/agents/h2/conductor", status("h2", List.of("h1", "h2")), Void.class);
        JsonNode board = api.get("/v1/balancing", JsonNode.class).path("conductors");
        long after = System.currentTimeMillis();
        assertThat(board).hasSize(2);
        assertThat(board.get(0).path("status").path("host").asText()).isEqualTo("h1");
        assertThat(board.get(0).path("status").path("members").toString())
                .isEqualTo("[\"h1\",\"h2\"]");
        assertThat(board.get(0).path("receivedAtMillis").asLong()).isBetween(before, after);
        assertThat(board.get(0).path("ageMillis").asLong()).isBetween(0L, after - before);
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/agents/h3/conductor",
                                        status("h1", List.of("h1")),
                                        Void.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("posted for host h3");
        assertThat(scrape().body())
                .contains("livezone_conductor_members{host=\"h1\"} 2.0")
                .contains("livezone_conductor_load_percent{host=\"h2\"} 4.5")
                .contains("livezone_conductor_migrations{host=\"h1\",kind=\"sent\"} 2.0")
                .contains("livezone_conductor_proposals{host=\"h1\",outcome=\"refused\"} 1.0");
        // The board is for operators: it needs the token like every other API route.
        HttpResponse<String> anonymous =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(base().resolve("/v1/balancing")).build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    private static ConductorStatus status(String host, List<String> members) {
        return status(host, members, System.currentTimeMillis());
    }

    private static ConductorStatus status(String host, List<String> members, long sentAtMillis) {
        return new ConductorStatus(
                host,
                sentAtMillis,
                true,
                members,
                4.5,
                true,
                Map.of("za", 4.5),
                Map.of(),
                "load 4.5% is not above the mean",
                null,
                null,
                3,
                2,
                1,
                2,
                0,
                0,
                1);
    }

    private void heartbeat(String host, String site, List<ZoneLoad> zones) {
        double cpu = zones.stream().mapToDouble(ZoneLoad::cpuPercent).sum();
        api.post(
                "/v1/agents/heartbeat",
                new Heartbeat(
                        host,
                        site,
                        "http://127.0.0.1:1/" + host,
                        System.currentTimeMillis(),
                        new HostLoad(cpu, 300L << 20, 1L << 30, 1000, 2000, zones)),
                Void.class);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    private HttpResponse<String> scrape() throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base().resolve("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
