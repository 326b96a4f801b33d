package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.cli.LiveZoneCli;
import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.http.ApiException;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotSwarm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Hibernation in a real local cluster (two sites, three hosts): a zone is suspended to an image on
 * its host, then a match whose players sit closer to the other site wakes it there — the image
 * travels between the hosts' agents over the host network and the emulated link. Bad requests are
 * refused and change nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HibernationClusterTest {
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
    private static final String ZONE = "hz";

    private static ClusterFixture fixture;

    @BeforeAll
    static void up() {
        try {
            fixture = new ClusterFixture("lzh", "h");
            fixture.up(CONFIG, Duration.ofSeconds(90));
            fixture.createZone(ZONE, "h1", 160L, 1);
        } catch (Exception | AssertionError e) {
            try {
                down();
            } catch (IOException | AssertionError cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new AssertionError("cluster did not come up", e);
        }
    }

    @AfterAll
    static void down() throws IOException {
        fixture.close();
    }

    @Test
    @Order(1)
    void aRunningZoneCannotBeResumedOrMatched() {
        assertThatThrownBy(() -> resume(null))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("is RUNNING, not hibernating");
        assertThatThrownBy(() -> match(player("p1", 20, 30)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("not hibernating");
        assertThatThrownBy(
                        () ->
                                fixture.api()
                                        .post(
                                                "/v1/zones/nosuch/suspend",
                                                null,
                                                JsonNode.class,
                                                Duration.ofSeconds(30)))
                .isInstanceOf(ZoneNotFoundException.class);
        assertZone("RUNNING", "h1");
    }

    @Test
    @Order(2)
    void suspendLeavesTheImageOnItsHostAndNoVm() {
        assertThat(cli("zone", "suspend", ZONE)).isZero();
        assertZone("HIBERNATING", "h1");
        assertThat(qemuOf(ZONE)).as("no QEMU for the hibernating zone").isEmpty();
        assertThat(image("h1")).isRegularFile();
        assertThat(fixture.cluster().driverOf("h1").status(ZONE).state())
                .isEqualTo(ZoneState.SUSPENDED);
    }

    @Test
    @Order(3)
    void badRequestsOnAHibernatingZoneChangeNothing() throws Exception {
        long imageBytes = Files.size(image("h1"));
        assertThatThrownBy(
                        () ->
                                fixture.api()
                                        .post(
                                                "/v1/zones/" + ZONE + "/suspend",
                                                null,
                                                JsonNode.class,
                                                Duration.ofSeconds(30)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("only running zones hibernate");
        assertThatThrownBy(() -> resume("h9"))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("unknown host 'h9'");
        assertThat(cli("zone", "resume", ZONE, "--host", "h9")).isNotZero();
        assertThatThrownBy(() -> match(Map.of("id", "p1", "rttMsBySite", Map.of("a", 20.0))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no RTT to site b");
        // Every server is beyond 180 ms of one of the players.
        assertThatThrownBy(() -> match(player("p1", 200, 20), player("p2", 20, 250)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("no server qualifies")
                .hasMessageContaining("stays hibernating");
        assertThatThrownBy(() -> match())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least one player");
        assertZone("HIBERNATING", "h1");
        assertThat(Files.size(image("h1"))).isEqualTo(imageBytes);
        assertThat(Files.exists(image("h3"))).isFalse();
    }

    @Test
    @Order(4)
    void aMatchWakesTheZoneAtTheSiteItsPlayersFavour() throws Exception {
        JsonNode result = match(player("p1", 90, 20), player("p2", 100, 25));
        assertThat(result.path("host").asText()).as(result.toString()).isEqualTo("h3");
        assertThat(result.path("site").asText()).isEqualTo("b");
        assertThat(result.path("closenessMs").asDouble()).isEqualTo(5.0);
        assertThat(result.path("reason").asText()).contains("h3");
        assertZone("RUNNING", "h3");
        assertPlayersCanJoin();
        assertThat(Files.exists(image("h1"))).as("old image deleted").isFalse();
        assertThat(Files.exists(image("h3"))).as("carried image used up").isFalse();
        assertThat(fixture.cluster().driverOf("h1").zoneNames()).doesNotContain(ZONE);
        assertRunsOnlyOn("h3");
        assertThat(qemuOf(ZONE)).as("one QEMU, on h3").singleElement().asString().contains("/h3/");
        JsonNode transfers = fixture.api().get("/v1/storage", JsonNode.class).path("transfers");
        assertThat(transfers.toString()).contains("\"kind\":\"hibernated\"");
    }

    @Test
    @Order(5)
    void resumeInPlaceFromTheCli() throws Exception {
        fixture.api()
                .post(
                        "/v1/zones/" + ZONE + "/suspend",
                        null,
                        JsonNode.class,
                        Duration.ofMinutes(5));
        assertZone("HIBERNATING", "h3");
        assertThat(cli("zone", "resume", ZONE)).isZero();
        assertZone("RUNNING", "h3");
        assertPlayersCanJoin();
        assertRunsOnlyOn("h3");
    }

    private static JsonNode resume(String host) {
        return fixture.api()
                .post(
                        "/v1/zones/" + ZONE + "/resume",
                        host == null ? Map.of() : Map.of("host", host),
                        JsonNode.class,
                        Duration.ofMinutes(5));
    }

    @SafeVarargs
    private static JsonNode match(Map<String, Object>... players) {
        return fixture.api()
                .post(
                        "/v1/matches",
                        Map.of("zone", ZONE, "players", List.of(players)),
                        JsonNode.class,
                        Duration.ofMinutes(5));
    }

    private static Map<String, Object> player(String id, double siteA, double siteB) {
        return Map.of("id", id, "rttMsBySite", Map.of("a", siteA, "b", siteB));
    }

    private static int cli(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--cluster";
        all[args.length + 1] = fixture.name();
        all[args.length + 2] = "--cluster-root";
        all[args.length + 3] = fixture.root().toString();
        return LiveZoneCli.run(all);
    }

    private static List<String> qemuOf(String zone) {
        return Leftovers.qemuProcessesMentioning(fixture.root().toString()).stream()
                .filter(c -> c.contains("/zones/" + zone + "/"))
                .toList();
    }

    private static Path image(String host) {
        return fixture.cluster()
                .dir()
                .resolve("hosts")
                .resolve(host)
                .resolve("hibernation/" + ZONE + ".img");
    }

    private static void assertZone(String state, String host) {
        JsonNode z = fixture.api().get("/v1/zones/" + ZONE, JsonNode.class);
        assertThat(z.path("state").asText()).as(z.toString()).isEqualTo(state);
        assertThat(z.path("host").asText()).as(z.toString()).isEqualTo(host);
    }

    private static void assertPlayersCanJoin() throws Exception {
        String address =
                fixture.api()
                        .get("/v1/zones/" + ZONE, JsonNode.class)
                        .path("definition")
                        .path("address")
                        .asText()
                        .split("/")[0];
        try (BotSwarm bots =
                BotSwarm.start(
                        new InetSocketAddress(address, 7000),
                        2,
                        BotConfig.defaults().withNamePrefix("hb"))) {
            assertThat(bots.awaitAllReceiving(Duration.ofSeconds(60)))
                    .as("players join the woken zone")
                    .isTrue();
        }
    }

    private static void assertRunsOnlyOn(String host) {
        fixture.cluster()
                .zonesByHost()
                .forEach(
                        (h, zones) -> {
                            List<ZoneState> states =
                                    zones.stream()
                                            .filter(z -> z.zone().equals(ZONE))
                                            .map(ZoneStatus::state)
                                            .toList();
                            if (h.equals(host)) {
                                assertThat(states).as(h).containsExactly(ZoneState.RUNNING);
                            } else {
                                assertThat(states).as(h).isEmpty();
                            }
                        });
    }
}
