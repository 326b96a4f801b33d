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
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.ZoneState;
import io.livezone.core.http.ApiException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's HTTP API end to end on loopback, over a real {@link Coordinator} whose agents
 * are fakes: what an operator's client sends and gets back, errors included.
 */
@Timeout(30)
class CoordinatorServerTest {
    private static final String TOKEN = "coordinator-test-token-0123456789";
    private static final String CONFIG =
            """
            sites:
              - name: eu
                hosts: [{name: h1, memory: 1GiB}, {name: h2, memory: 1GiB}]
              - name: us
                hosts: [{name: h3, memory: 1GiB}, {name: h4, memory: 1GiB}]
            links:
              - {between: [eu, us], latency: 20ms, jitter: 2ms, bandwidth: 100mbit}
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
        api =
                new JsonHttpClient(
                        URI.create("http://127.0.0.1:" + server.address().getPort()), TOKEN);
        // h4 never reports.
        for (var h : List.of(List.of("h1", "eu"), List.of("h2", "eu"), List.of("h3", "us"))) {
            heartbeat(h.get(0), h.get(1));
        }
    }

    @AfterEach
    void stop() {
        server.close();
        coordinator.close();
    }

    private void heartbeat(String host, String site) {
        assertThat(
                        api.post(
                                "/v1/agents/heartbeat",
                                TestCluster.heartbeat(host, site, System.currentTimeMillis()),
                                JsonNode.class))
                .isNull();
    }

    private JsonNode createZone(String name, String host) {
        return api.post("/v1/zones", Map.of("name", name, "host", host), JsonNode.class);
    }

    /** Submits a plan of moves given as zone, destination, zone, destination... */
    private JsonNode submit(String algorithm, String... zoneThenHost) {
        List<Map<String, String>> moves = new ArrayList<>();
        for (int i = 0; i < zoneThenHost.length; i += 2) {
            moves.add(Map.of("zone", zoneThenHost[i], "to", zoneThenHost[i + 1]));
        }
        return api.post(
                "/v1/plans",
                Map.of("algorithm", algorithm, "moves", moves, "timeoutSeconds", 0),
                JsonNode.class);
    }

    private JsonNode plan(long id) {
        return api.get("/v1/plans/" + id, JsonNode.class);
    }

    private JsonNode awaitPlanEnd(long id) {
        return await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> plan(id), p -> !p.at("/plan/state").asText().equals("RUNNING"));
    }

    private void awaitMigrating(String host, String zone) {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> agents.state(host, zone).orElse(null), s -> s == ZoneState.MIGRATING);
    }

    private static void assertStatus(Runnable call, int status, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(status))
                .hasMessageContaining(message);
    }

    @Test
    void healthIsOpenAndEverythingElseNeedsTheToken() throws Exception {
        HttpClient raw = HttpClient.newHttpClient();
        URI base = api.base();
        HttpResponse<String> health =
                raw.send(
                        HttpRequest.newBuilder(base.resolve("/v1/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"ok\":true}");

        HttpResponse<String> cluster =
                raw.send(
                        HttpRequest.newBuilder(base.resolve("/v1/cluster")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(cluster.statusCode()).isEqualTo(401);
        assertThat(cluster.body()).contains("\"error\":\"unauthorized\"");

        JsonHttpClient stranger = new JsonHttpClient(base, "some-other-token-0123456789");
        assertStatus(
                () ->
                        stranger.post(
                                "/v1/zones", Map.of("name", "za", "host", "h1"), JsonNode.class),
                401,
                "missing or wrong API token");
        assertThat(agents.calls()).isEmpty();
    }

    @Test
    void theClusterViewShowsSitesLinksHostsAndZones() {
        createZone("za", "h1");

        JsonNode view = api.get("/v1/cluster", JsonNode.class);

        assertThat(view.path("sites").toString()).isEqualTo("[\"eu\",\"us\"]");
        JsonNode link = view.path("links").get(0);
        assertThat(link.path("siteA").asText()).isEqualTo("eu");
        assertThat(link.path("siteB").asText()).isEqualTo("us");
        assertThat(link.path("settings").path("latencyMs").asLong()).isEqualTo(20);
        assertThat(link.path("settings").path("jitterMs").asLong()).isEqualTo(2);
        assertThat(link.path("settings").path("bytesPerSec").asLong()).isEqualTo(12_500_000);
        assertThat(view.path("hosts").findValuesAsText("name"))
                .containsExactly("h1", "h2", "h3", "h4");
        assertThat(view.path("hosts").findValuesAsText("state"))
                .containsExactly("UP", "UP", "UP", "UNKNOWN");
        assertThat(view.path("zones").get(0).path("definition").path("name").asText())
                .isEqualTo("za");

        JsonNode h1 = api.get("/v1/hosts/h1", JsonNode.class);
        assertThat(h1.path("site").asText()).isEqualTo("eu");
        assertThat(h1.path("memoryBytes").asLong()).isEqualTo(1L << 30);
        assertThat(h1.path("url").asText()).isEqualTo("http://127.0.0.1:1/h1");
        assertThat(h1.path("load").path("memoryTotalBytes").asLong()).isEqualTo(1L << 30);
        assertThat(api.get("/v1/hosts", JsonNode.class).size()).isEqualTo(4);
        assertStatus(() -> api.get("/v1/hosts/h9", JsonNode.class), 404, "unknown host 'h9'");
    }

    @Test
    void heartbeatsAreValidated() {
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/agents/heartbeat",
                                        Map.of(
                                                "host", "H1",
                                                "site", "eu",
                                                "url", "http://x:1",
                                                "sentAtMillis", 0,
                                                "load",
                                                        TestCluster.heartbeat("h1", "eu", 0)
                                                                .load()),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid host name H1");
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/agents/heartbeat",
                                        TestCluster.heartbeat("h5", "mars", 0),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("unknown site 'mars'");
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/agents/heartbeat",
                                        TestCluster.heartbeat("h1", "us", 0),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("host h1 is registered in site eu, not us");
        // A heartbeat without a load report is the agent's mistake, not a server error.
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/agents/heartbeat",
                                        Map.of(
                                                "host", "h5",
                                                "site", "eu",
                                                "url", "http://x:1",
                                                "sentAtMillis", 0),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("the heartbeat of host h5 needs its site and a load report");
        assertThat(coordinator.registry().findHost("h5")).isEmpty();
    }

    @Test
    void zonesAreCreatedWithAnAddressOfTheirOwnAndDeleted() {
        JsonNode za = createZone("za", "h1");
        JsonNode zb =
                api.post(
                        "/v1/zones",
                        Map.of("name", "zb", "host", "h3", "memoryMiB", 256, "vcpus", 2),
                        JsonNode.class);

        assertThat(za.path("host").asText()).isEqualTo("h1");
        assertThat(za.path("state").asText()).isEqualTo("RUNNING");
        JsonNode def = za.path("definition");
        assertThat(def.path("name").asText()).isEqualTo("za");
        assertThat(def.path("memoryMiB").asLong()).isEqualTo(192);
        assertThat(def.path("vcpus").asInt()).isEqualTo(1);
        assertThat(def.path("address").asText()).isEqualTo("10.213.5.10/24");
        assertThat(def.path("mac").asText()).startsWith("52:54:00:");
        assertThat(zb.at("/definition/address").asText()).isEqualTo("10.213.5.11/24");
        assertThat(zb.at("/definition/memoryMiB").asLong()).isEqualTo(256);
        assertThat(zb.at("/definition/vcpus").asInt()).isEqualTo(2);
        assertThat(agents.state("h1", "za")).hasValue(ZoneState.RUNNING);
        assertThat(agents.calls()).containsExactly("h1.start(za)", "h3.start(zb)");

        assertThat(api.get("/v1/zones", JsonNode.class).findValuesAsText("host"))
                .containsExactly("h1", "h3");
        assertThat(api.get("/v1/zones/zb", JsonNode.class).path("host").asText()).isEqualTo("h3");

        api.delete("/v1/zones/za", Duration.ofSeconds(5));
        assertThat(agents.state("h1", "za")).isEmpty();
        assertThatThrownBy(() -> api.get("/v1/zones/za", JsonNode.class))
                .isInstanceOf(ZoneNotFoundException.class)
                .hasMessage("unknown zone 'za'");
        assertThatThrownBy(() -> api.delete("/v1/zones/za", Duration.ofSeconds(5)))
                .isInstanceOf(ZoneNotFoundException.class);
        // Its address is free again.
        assertThat(createZone("zc", "h2").at("/definition/address").asText())
                .isEqualTo("10.213.5.10/24");
    }

    @Test
    void badZoneRequestsChangeNothing() {
        createZone("za", "h1");

        assertThatThrownBy(() -> createZone("za", "h2"))
                .isInstanceOf(ZoneAlreadyExistsException.class)
                .hasMessageStartingWith("zone 'za' already exists");
        assertStatus(() -> createZone("zb", "h9"), 404, "unknown host 'h9'");
        assertStatus(() -> createZone("zb", "h4"), 409, "host h4 is UNKNOWN");
        assertThatThrownBy(() -> api.post("/v1/zones", Map.of("name", "zb"), JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a zone needs a name and a host");
        assertThatThrownBy(() -> createZone("Bad_Name", "h1"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad zone name 'Bad_Name'");
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/zones",
                                        Map.of("name", "zb", "host", "h1", "memoryMiB", 1024),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "no capacity: host h1 has 832 MiB free for zones, the zone needs 1024 MiB");
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/zones",
                                        Map.of("name", "zb", "host", "h1", "colour", "red"),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown field 'colour'");

        agents.failNext("h2", "start", new EnvironmentException("no QEMU on h2"));
        assertStatus(() -> createZone("zb", "h2"), 500, "no QEMU on h2");

        assertThat(api.get("/v1/zones", JsonNode.class).findValuesAsText("name"))
                .containsExactly("za");
    }

    @Test
    void aPlanMovesZonesAndReportsProgress() {
        createZone("za", "h1");
        createZone("zb", "h1");

        JsonNode created = submit("sequential", "za", "h3");
        long id = created.at("/plan/id").asLong();
        assertThat(created.at("/plan/state").asText()).isEqualTo("RUNNING");
        assertThat(created.at("/plan/algorithm").asText()).isEqualTo("sequential");
        assertThat(created.at("/plan/moves/0/state").asText()).isEqualTo("PENDING");
        assertThat(created.has("percent")).isTrue();
        assertThat(created.has("elapsedMillis")).isTrue();

        JsonNode done = awaitPlanEnd(id);
        assertThat(done.at("/plan/state").asText()).isEqualTo("DONE");
        assertThat(done.path("percent").asDouble()).isEqualTo(100);
        JsonNode move = done.at("/plan/moves/0");
        assertThat(move.path("zone").asText()).isEqualTo("za");
        assertThat(move.path("source").asText()).isEqualTo("h1");
        assertThat(move.path("destination").asText()).isEqualTo("h3");
        assertThat(move.path("state").asText()).isEqualTo("DONE");
        assertThat(move.path("downtimeMillis").asLong()).isEqualTo(7);
        assertThat(api.get("/v1/zones/za", JsonNode.class).path("host").asText()).isEqualTo("h3");

        // The one-zone shorthand; no algorithm means "auto".
        JsonNode shorthand = api.post("/v1/zones/zb/migrate", Map.of("to", "h2"), JsonNode.class);
        assertThat(shorthand.at("/plan/algorithm").asText()).isEqualTo("auto");
        awaitPlanEnd(shorthand.at("/plan/id").asLong());
        assertThat(api.get("/v1/zones/zb", JsonNode.class).path("host").asText()).isEqualTo("h2");

        JsonNode plans = api.get("/v1/plans", JsonNode.class);
        assertThat(plans.size()).isEqualTo(2);
        for (JsonNode p : plans) {
            assertThat(p.at("/plan/state").asText()).isEqualTo("DONE");
        }
    }

    @Test
    void aPlanCanBeCancelled() {
        createZone("za", "h1");
        agents.hold("za");
        long id = submit("parallel", "za", "h2").at("/plan/id").asLong();
        awaitMigrating("h1", "za");

        JsonNode answer = api.post("/v1/plans/" + id + "/cancel", null, JsonNode.class);
        assertThat(answer.at("/plan/id").asLong()).isEqualTo(id);

        JsonNode cancelled = awaitPlanEnd(id);
        assertThat(cancelled.at("/plan/state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.at("/plan/moves/0/state").asText()).isEqualTo("CANCELLED");
        assertThat(api.get("/v1/zones/za", JsonNode.class).path("host").asText()).isEqualTo("h1");
        assertThat(api.get("/v1/zones/za", JsonNode.class).path("state").asText())
                .isEqualTo("RUNNING");

        assertStatus(
                () -> api.post("/v1/plans/" + id + "/cancel", null, JsonNode.class),
                409,
                "plan " + id + " has already finished");
        assertStatus(
                () -> api.post("/v1/plans/999/cancel", null, JsonNode.class),
                404,
                "unknown plan 999");
    }

    @Test
    void badPlanRequestsAreRejected() {
        createZone("za", "h1");

        assertStatus(() -> plan(999), 404, "unknown plan 999");
        assertThatThrownBy(() -> api.get("/v1/plans/latest", JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("plan id must be a number, got 'latest'");
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/plans",
                                        Map.of("moves", List.of(), "timeoutSeconds", 0),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a plan needs at least one move");
        assertThatThrownBy(() -> submit("parallel", "nope", "h2"))
                .isInstanceOf(ZoneNotFoundException.class);
        assertThatThrownBy(() -> submit("fastest", "za", "h2"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown migration schedule policy 'fastest'");
        assertStatus(() -> submit("parallel", "za", "h4"), 409, "host h4 is UNKNOWN");
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/plans",
                                        Map.of(
                                                "moves",
                                                List.of(Map.of("zone", "za")),
                                                "timeoutSeconds",
                                                0),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("each move needs a zone and a destination host ('to')");
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/zones/za/migrate",
                                        Map.of(
                                                "to",
                                                "h2",
                                                "settings",
                                                Map.of(
                                                        "downtimeLimitMs",
                                                        0,
                                                        "maxBandwidthBytesPerSec",
                                                        0,
                                                        "autoConverge",
                                                        true,
                                                        "postcopy",
                                                        false)),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("downtime limit must be 1 ms..60 s, got 0 ms");

        assertThat(api.get("/v1/plans", JsonNode.class).size()).isZero();
        assertThat(agents.calls()).containsExactly("h1.start(za)");
    }

    @Test
    void aZoneDeletedWhileItsMoveWaitsFailsThatMoveAndThePlanEnds() {
        createZone("za", "h1");
        createZone("zb", "h1");
        agents.hold("za");
        long id = submit("sequential", "za", "h2", "zb", "h2").at("/plan/id").asLong();
        awaitMigrating("h1", "za");

        // zb still runs (its move is pending), so it may be deleted.
        api.delete("/v1/zones/zb", Duration.ofSeconds(5));
        agents.release("za");

        JsonNode plan = awaitPlanEnd(id);
        assertThat(plan.at("/plan/state").asText()).isEqualTo("FAILED");
        JsonNode moves = plan.at("/plan/moves");
        assertThat(moves.findValuesAsText("zone")).containsExactlyInAnyOrder("za", "zb");
        for (JsonNode m : moves) {
            if (m.path("zone").asText().equals("za")) {
                assertThat(m.path("state").asText()).isEqualTo("DONE");
            } else {
                assertThat(m.path("state").asText()).isEqualTo("FAILED");
                assertThat(m.path("error").asText()).isEqualTo("unknown zone 'zb'");
            }
        }
        // zb's destination may have been staged ahead on h2 while za moved: the plan's end
        // removes it, and zb itself never migrated.
        assertThat(agents.calls("zb"))
                .containsSubsequence("h1.start(zb)", "h1.stop(zb)")
                .doesNotContain("h1.migrateOut(zb)");
        assertThat(agents.state("h2", "zb")).isEmpty();
        assertThat(agents.state("h1", "zb")).isEmpty();
    }

    @Test
    void aHostBackFromTheDeadGetsItsRunningZonesBack() {
        createZone("za", "h1");
        long later = System.currentTimeMillis() + 120_000;
        assertThat(coordinator.registry().expire(later, 60_000)).contains("h1");
        assertThat(api.get("/v1/zones/za", JsonNode.class).path("state").asText())
                .isEqualTo("LOST");
        assertThat(api.get("/v1/hosts/h1", JsonNode.class).path("state").asText())
                .isEqualTo("DOWN");

        heartbeat("h1", "eu");

        assertThat(api.get("/v1/hosts/h1", JsonNode.class).path("state").asText()).isEqualTo("UP");
        assertThat(api.get("/v1/zones/za", JsonNode.class).path("state").asText())
                .isEqualTo("RUNNING");
    }

    @Test
    void aDeathInAHeartbeatMakesTheZoneFailedAndShowsEverywhere() {
        api.post(
                "/v1/zones",
                Map.of("name", "za", "host", "h1", "restart", "never"),
                JsonNode.class);
        assertThatThrownBy(
                        () ->
                                api.post(
                                        "/v1/zones",
                                        Map.of("name", "zb", "host", "h1", "restart", "always"),
                                        JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("unknown restart policy 'always'; known: [never, restart]");
        var failure =
                new io.livezone.core.ZoneFailure(
                        "za",
                        "i1",
                        1000,
                        "its QEMU process ended: killed by signal 9 (SIGKILL)",
                        137,
                        "",
                        "LIVEZONE-ZONE-READY");
        var dead =
                new io.livezone.core.ZoneStatus(
                                "za", ZoneState.DEAD, "i1", java.util.OptionalLong.of(9), "dead")
                        .withFailure(failure);
        var beat = TestCluster.heartbeat("h1", "eu", System.currentTimeMillis());
        api.post(
                "/v1/agents/heartbeat",
                new io.livezone.core.cluster.Heartbeat(
                        beat.host(),
                        beat.site(),
                        beat.url(),
                        beat.sentAtMillis(),
                        beat.load(),
                        List.of(dead)),
                JsonNode.class);

        JsonNode za = api.get("/v1/zones/za", JsonNode.class);
        assertThat(za.path("state").asText()).isEqualTo("FAILED");
        assertThat(za.path("reason").asText()).isEqualTo(failure.reason());
        assertThat(za.at("/definition/restart").asText()).isEqualTo("never");
        JsonNode history = api.get("/v1/zones/za/failures", JsonNode.class);
        assertThat(history).hasSize(1);
        assertThat(history.get(0).path("outcome").asText()).isEqualTo("reported");
        assertThat(history.get(0).at("/failure/exitStatus").asInt()).isEqualTo(137);
        assertThatThrownBy(() -> api.get("/v1/zones/zz/failures", JsonNode.class))
                .isInstanceOf(io.livezone.core.ZoneNotFoundException.class);
        assertThat(coordinator.metrics().scrape())
                .contains("livezone_zone_failures_total{host=\"h1\",zone=\"za\"} 1.0");
        JsonNode view = api.get("/v1/dashboard", JsonNode.class).path("zones").get(0);
        assertThat(view.path("failures").asInt()).isEqualTo(1);
        assertThat(view.path("reason").asText()).contains("SIGKILL");

        api.delete("/v1/zones/za", Duration.ofSeconds(10));
        assertThat(coordinator.metrics().scrape()).doesNotContain("livezone_zone_failures_total");
    }
}
