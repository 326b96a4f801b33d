package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.ZoneService;
import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneState;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.ApiException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.dve.bot.AggregateStats;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.dve.bot.ZoneQuery;
import io.livezone.dve.server.InputDelivery;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
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
 * A real local cluster: coordinator and three agents in their own namespaces (two sites joined by
 * an emulated link), zone VMs moved by plans. Booted once for the class; the tests that break
 * things (a coordinator restart, a killed agent) come last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final Duration PROBE = Duration.ofSeconds(10);
    private static final String CONFIG =
            """
            sites:
              - name: a
                hosts: [{name: h1, memory: 1GiB}, {name: h2, memory: 1GiB}]
              - name: b
                hosts: [{name: h3, memory: 1GiB}]
            links:
              - {between: [a, b], latency: 10ms, jitter: 1ms, bandwidth: 400mbit}
            """;

    private static ClusterFixture fixture;

    @BeforeAll
    static void up() throws Exception {
        fixture = new ClusterFixture("lzc", "t");
        fixture.up(CONFIG, Duration.ofSeconds(90));
        for (var z : List.of(Map.entry("za", "h1"), Map.entry("zb", "h3"))) {
            fixture.createZone(z.getKey(), z.getValue(), 192L, 1);
        }
    }

    @AfterAll
    static void down() throws IOException {
        fixture.close();
    }

    @Test
    @Order(1)
    void apiRejectsCallsWithoutTheToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI cluster = URI.create(fixture.cluster().state().coordinatorUrl() + "/v1/cluster");
        HttpResponse<String> none =
                http.send(
                        HttpRequest.newBuilder(cluster).build(),
                        HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong =
                http.send(
                        HttpRequest.newBuilder(cluster)
                                .header("Authorization", "Bearer nope-nope-nope-nope")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> plan =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                fixture.cluster().state().coordinatorUrl()
                                                        + "/v1/plans"))
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"moves\":[{\"zone\":\"za\",\"to\":\"h2\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(plan.statusCode()).isEqualTo(401);
        assertThat(fixture.api().get("/v1/plans", JsonNode.class))
                .as("nothing was planned")
                .isEmpty();
        // Agents check the same token.
        HttpResponse<String> agent =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://"
                                                        + fixture.cluster()
                                                                .state()
                                                                .hostAddresses()
                                                                .get("h1")
                                                        + ":7700/v1/zones"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(agent.statusCode()).isEqualTo(401);
    }

    @Test
    @Order(2)
    void invalidPlansAreRejectedAndChangeNothing() {
        assertThatThrownBy(() -> submit("auto", Map.of("nosuch", "h2")))
                .hasMessageContaining("unknown zone 'nosuch'");
        assertThatThrownBy(() -> submit("auto", Map.of("za", "h9")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("unknown host 'h9'");
        assertThatThrownBy(() -> submit("fastest", Map.of("za", "h2")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("fastest");
        assertThatThrownBy(() -> submit("auto", Map.of("za", "h1")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("already runs on h1");
        assertThatThrownBy(
                        () ->
                                fixture.api()
                                        .post(
                                                "/v1/zones",
                                                new ZoneService.CreateZone("big", "h2", 2048L, 1),
                                                JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no capacity");
        assertThatThrownBy(
                        () ->
                                fixture.api()
                                        .send(
                                                "POST",
                                                "/v1/plans",
                                                Map.of("moves", "not-a-list"),
                                                JsonNode.class,
                                                Duration.ofSeconds(10)))
                .isInstanceOf(InvalidInputException.class);
        assertThat(fixture.api().get("/v1/plans", JsonNode.class)).isEmpty();
        assertThat(placement()).containsEntry("za", "h1").containsEntry("zb", "h3");
    }

    @Test
    @Order(3)
    void swapAcrossSitesKeepsPlayersConnected() throws Exception {
        // za's players come through the cluster's gateway, zb's straight to the zone.
        JsonHttpClient gateway = fixture.cluster().gatewayApi();
        JsonNode endpoint = fixture.cluster().awaitGatewayServes("za", Duration.ofSeconds(30));
        assertThat(endpoint.path("site").asText()).isEqualTo("a");
        try (BotSwarm viaGateway =
                        BotSwarm.start(
                                new InetSocketAddress(
                                        endpoint.path("endpoint").asText(),
                                        endpoint.path("port").asInt()),
                                6,
                                BotConfig.defaults().withNamePrefix("gw"));
                BotSwarm bots = bots("zb")) {
            assertThat(viaGateway.awaitAllReceiving(Duration.ofSeconds(60))).isTrue();
            JsonNode plan = runToEnd(submit("sequential", Map.of("za", "h3", "zb", "h1")));
            Thread.sleep(1500);
            assertThat(plan.path("state").asText()).as(plan.toString()).isEqualTo("DONE");
            for (BotSwarm swarm : List.of(viaGateway, bots)) {
                AggregateStats seen = swarm.total().aggregate();
                assertThat(seen.disconnected()).as("bots disconnected").isZero();
                assertThat(swarm.total().tickContinuityOk()).as("tick continuity").isTrue();
            }
            // The source agent held za's traffic at the gateway at the switchover and released
            // it to site b: every input datagram of its players reached the zone, in order.
            JsonNode za = gateway.get("/v1/zones/za", JsonNode.class);
            assertThat(za.path("site").asText()).isEqualTo("b");
            assertThat(za.path("held").asBoolean()).isFalse();
            assertThat(za.path("traffic").path("heldUdp").asLong()).as(za.toString()).isPositive();
            assertThat(za.path("traffic").path("droppedHoldOverflow").asLong()).isZero();
            InputDelivery inputs =
                    ZoneQuery.inputs(new InetSocketAddress(zoneAddress("za"), 7000), PROBE);
            assertThat(inputs.sessions()).isEqualTo(6);
            assertThat(inputs.missing()).as("za inputs lost: %s", inputs).isZero();
            assertThat(inputs.late()).as("za inputs out of order: %s", inputs).isZero();

            // Players' RTTs reported to the gateway reach the coordinator's zone mapping, tagged
            // with the site za runs at now (the very sample the zone-mapping test reports again).
            long before =
                    fixture.api()
                            .get("/v1/policies", JsonNode.class)
                            .path("zoneMapping")
                            .path("clientsReporting")
                            .asLong();
            gateway.post(
                    "/v1/rtt",
                    Map.of(
                            "samples",
                            List.of(Map.of("client", "p0", "zone", "za", "rttMs", 150.0))),
                    Void.class);
            assertThat(
                            fixture.api()
                                    .get("/v1/policies", JsonNode.class)
                                    .path("zoneMapping")
                                    .path("clientsReporting")
                                    .asLong())
                    .isEqualTo(before + 1);
            assertThat(za.path("endpoint").asText()).isEqualTo("127.0.0.1");
            assertThatThrownBy(
                            () ->
                                    gateway.post(
                                            "/v1/rtt",
                                            Map.of(
                                                    "samples",
                                                    List.of(
                                                            Map.of(
                                                                    "client", "x", "zone", "za",
                                                                    "rttMs", -1))),
                                            Void.class))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> gateway.post("/v1/zones/nope/hold", Map.of(), JsonNode.class))
                    .isInstanceOf(ApiException.class)
                    .hasMessageContaining("does not serve zone 'nope'");
        }
        assertThat(placement()).containsEntry("za", "h3").containsEntry("zb", "h1");
        assertEachZoneRunsExactlyOnce();
    }

    @Test
    @Order(4)
    void parallelMovesWithinASite() throws Exception {
        // The players' gateway is down during this move: the move goes ahead without a hold, and
        // the restarted gateway serves each zone on the port it had, at its new site.
        int port =
                fixture.cluster()
                        .awaitGatewayServes("zb", Duration.ofSeconds(30))
                        .path("port")
                        .asInt();
        fixture.cluster().killGateway();
        JsonNode plan = runToEnd(submit("parallel", Map.of("zb", "h2")));
        assertThat(plan.path("state").asText()).as(plan.toString()).isEqualTo("DONE");
        JsonNode move = plan.path("moves").get(0);
        assertThat(move.path("downtimeMillis").asLong()).isBetween(0L, 2000L);
        assertThat(move.path("transferredBytes").asLong()).isPositive();
        assertThat(placement()).containsEntry("zb", "h2");
        assertEachZoneRunsExactlyOnce();

        fixture.restartGateway();
        JsonNode zb = fixture.cluster().awaitGatewayServes("zb", Duration.ofSeconds(30));
        assertThat(zb.path("port").asInt()).isEqualTo(port);
        assertThat(zb.path("site").asText()).isEqualTo("a");
        try (BotSwarm players =
                BotSwarm.start(
                        new InetSocketAddress(zb.path("endpoint").asText(), port),
                        2,
                        BotConfig.defaults().withNamePrefix("rg"))) {
            assertThat(players.awaitAllReceiving(Duration.ofSeconds(60))).isTrue();
        }
    }

    @Test
    @Order(5)
    void zoneMappingMovesAZoneCloserToItsPlayers() {
        // za runs on h3 (site b); its players report 150 ms to site b and 30 ms to site a.
        List<Map<String, Object>> samples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            samples.add(Map.of("client", "p" + i, "zone", "za", "site", "a", "rttMs", 30.0));
            samples.add(Map.of("client", "p" + i, "zone", "za", "site", "b", "rttMs", 150.0));
        }
        fixture.api().post("/v1/clients/rtt", Map.of("samples", samples), Void.class);
        JsonNode decision =
                fixture.api().post("/v1/policies/zone-mapping/run", null, JsonNode.class);
        assertThat(decision.path("qosBefore").asDouble()).isZero();
        assertThat(decision.path("qosAfter").asDouble()).isEqualTo(1.0);
        long plan = decision.path("planId").asLong();
        assertThat(plan).as(decision.toString()).isPositive();
        assertThat(runToEnd(plan).path("state").asText()).isEqualTo("DONE");
        assertThat(placement().get("za")).isIn("h1", "h2");
        assertThat(
                        fixture.api()
                                .get("/v1/policies", JsonNode.class)
                                .path("zoneMapping")
                                .path("lastDecision")
                                .path("reason")
                                .asText())
                .isNotBlank();
        // A second round finds nothing to improve.
        assertThat(
                        fixture.api()
                                .post("/v1/policies/zone-mapping/run", null, JsonNode.class)
                                .path("planId")
                                .asLong())
                .isZero();
        assertEachZoneRunsExactlyOnce();
    }

    @Test
    @Order(6)
    void coordinatorRestartMidPlanFinishesThePlan() throws Exception {
        String target = placement().get("za").equals("h1") ? "h2" : "h1";
        long id = submitSlow(Map.of("za", target));
        awaitMigrating(id);
        fixture.restartCoordinator();
        JsonNode plan = await(id, Duration.ofMinutes(4));
        assertThat(plan.path("state").asText()).as(plan.toString()).isEqualTo("DONE");
        assertThat(placement()).containsEntry("za", target);
        assertEachZoneRunsExactlyOnce();
    }

    @Test
    @Order(7)
    void killedDestinationAgentFailsTheMoveAndTheSourceKeepsTheZone() throws Exception {
        String source = placement().get("za");
        long id = submitSlow(Map.of("za", "h3"));
        awaitMigrating(id);
        fixture.cluster().killAgent("h3");
        JsonNode plan = await(id, Duration.ofMinutes(4));
        assertThat(plan.path("state").asText()).isEqualTo("FAILED");
        assertThat(plan.path("moves").get(0).path("error").asText()).isNotBlank();
        assertThat(placement()).containsEntry("za", source);
        assertThat(fixture.api().get("/v1/zones/za", JsonNode.class).path("state").asText())
                .isEqualTo("RUNNING");
        assertThat(fixture.cluster().driverOf(source).status("za").state())
                .isEqualTo(ZoneState.RUNNING);
        assertEachZoneRunsExactlyOnce();
    }

    private static String zoneAddress(String zone) {
        return fixture.api()
                .get("/v1/zones/" + zone, JsonNode.class)
                .path("definition")
                .path("address")
                .asText()
                .split("/")[0];
    }

    private static BotSwarm bots(String zone) throws Exception {
        String address =
                fixture.api()
                        .get("/v1/zones/" + zone, JsonNode.class)
                        .path("definition")
                        .path("address")
                        .asText();
        BotSwarm swarm =
                BotSwarm.start(
                        new InetSocketAddress(address.split("/")[0], 7000),
                        6,
                        BotConfig.defaults().withNamePrefix("ct"));
        assertThat(swarm.awaitAllReceiving(Duration.ofSeconds(60))).isTrue();
        return swarm;
    }

    private static long submit(String algorithm, Map<String, String> moves) {
        return fixture.submitPlan(algorithm, moves, null);
    }

    /** A move capped at 12 MB/s: long enough to interfere with. */
    private static long submitSlow(Map<String, String> moves) {
        return fixture.submitPlan(
                "auto", moves, new MigrationSettings(30, 12_000_000, true, false));
    }

    private static JsonNode runToEnd(long id) {
        return await(id, Duration.ofMinutes(4));
    }

    /** Unlike {@link ClusterFixture#awaitPlanEnd}, rides out a coordinator restart. */
    private static JsonNode await(long id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode plan = fixture.api().get("/v1/plans/" + id, JsonNode.class).path("plan");
                if (!plan.path("state").asText().equals("RUNNING")) {
                    return plan;
                }
            } catch (RuntimeException e) {
                // the coordinator is restarting
            }
            sleep(300);
        }
        throw new AssertionError("plan " + id + " did not finish within " + timeout);
    }

    private static void awaitMigrating(long id) throws InterruptedException {
        ClusterChecks.awaitFirstMoveMigrating(fixture.api(), id, 5);
    }

    private static Map<String, String> placement() {
        return ClusterChecks.placement(fixture.api());
    }

    private static void assertEachZoneRunsExactlyOnce() {
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), List.of("za", "zb"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
