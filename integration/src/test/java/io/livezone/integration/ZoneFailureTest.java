package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import io.livezone.cli.LiveZoneCli;
import io.livezone.coordinator.ZoneService;
import io.livezone.core.cluster.HttpAgentGateway;
import io.livezone.dve.bot.ZoneQuery;
import io.livezone.lab.QemuCensus;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue H on a real local cluster (two hosts of one site): a zone that dies outside a migration is
 * noticed within seconds and reported truthfully (and restarted when its policy says so), and an
 * agent killed in a migration's switchover pause settles the VM it left when it starts again. Every
 * judgement of "runs" is QEMU's own ({@link QemuCensus}: each QEMU's QMP run state).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZoneFailureTest {
    private static final String CONFIG =
            """
            sites:
              - name: a
                hosts: [{name: h1, memory: 1GiB}, {name: h2, memory: 1GiB}]
            """;
    private static final Pattern FAILURES_METRIC =
            Pattern.compile(
                    "livezone_zone_failures_total\\{host=\"(\\w+)\",zone=\"(\\w+)\",?\\} (\\S+)");

    private static ClusterFixture fixture;

    @BeforeAll
    static void up() throws Exception {
        fixture = new ClusterFixture("lzf", "f");
        fixture.up(CONFIG, Duration.ofSeconds(90));
    }

    @AfterAll
    static void down() throws IOException {
        fixture.close();
    }

    @Test
    @Order(1)
    void aZoneKilledAfterAMoveIsReportedFailedWithinSecondsAndNotRestarted() throws Exception {
        create("zf", "h1", null);
        JsonNode plan =
                fixture.api()
                        .post("/v1/zones/zf/migrate", Map.of("to", "h2"), JsonNode.class)
                        .path("plan");
        assertThat(awaitPlan(plan.path("id").asLong()).path("state").asText()).isEqualTo("DONE");
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), List.of("zf"));

        long t0 = System.nanoTime();
        fixture.cluster()
                .driverOf("h2")
                .killActiveInstance("zf"); // SIGKILL, from outside the agent
        JsonNode zone = awaitZone("zf", z -> z.path("state").asText().equals("FAILED"), 15);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        System.out.printf(
                "ZoneFailureTest: zf FAILED in the registry %d ms after the kill%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertThat(seconds).as("seconds until the registry said FAILED").isLessThanOrEqualTo(10);
        assertThat(zone.path("host").asText()).isEqualTo("h2");
        assertThat(zone.path("reason").asText())
                .isEqualTo("its QEMU process ended: killed by signal 9 (SIGKILL)");

        // Its history: one death, on h2 — the release of the moved-away source on h1 is no death.
        JsonNode failures = fixture.api().get("/v1/zones/zf/failures", JsonNode.class);
        assertThat(failures).hasSize(1);
        JsonNode f = failures.get(0);
        assertThat(f.path("host").asText()).isEqualTo("h2");
        assertThat(f.path("outcome").asText()).isEqualTo("reported");
        assertThat(f.path("failure").path("exitStatus").asInt()).isEqualTo(137);
        // Its console: what the guest printed since it arrived on h2 (a quiet guest prints
        // nothing).
        assertThat(f.path("failure").has("consoleTail")).isTrue();
        assertThat(agentLog("h1")).doesNotContain("zone zf died");
        assertThat(agentLog("h2")).contains("zone zf died on h2");
        assertThat(Files.readString(fixture.cluster().dir().resolve("coordinator.log")))
                .contains("zone zf FAILED on h2");

        // What the operator sees: zone list, cluster status, metrics, the dashboard, the agent.
        String list = cli("zone", "list");
        assertThat(list).containsPattern("zf\\s+h2\\s+FAILED");
        assertThat(list).contains("why: its QEMU process ended: killed by signal 9 (SIGKILL)");
        assertThat(cli("cluster", "status")).containsPattern("zf\\s+h2\\s+FAILED").contains("why:");
        assertThat(failureCounts()).containsEntry("zf@h2", 1.0);
        JsonNode view = dashboardZone("zf");
        assertThat(view.path("state").asText()).isEqualTo("FAILED");
        assertThat(view.path("failures").asInt()).isEqualTo(1);
        assertThat(view.path("reason").asText()).contains("SIGKILL");
        JsonNode onAgent = agentZone("h2", "zf");
        assertThat(onAgent.path("state").asText()).isEqualTo("DEAD");
        assertThat(onAgent.path("failure").path("exitStatus").asInt()).isEqualTo(137);

        // Policy never: it stays dead; nothing runs it anywhere.
        Thread.sleep(3000);
        assertThat(fixture.api().get("/v1/zones/zf", JsonNode.class).path("state").asText())
                .isEqualTo("FAILED");
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), List.of());

        fixture.api().delete("/v1/zones/zf", Duration.ofMinutes(1));
        assertThat(failureCounts()).doesNotContainKey("zf@h2");
    }

    @Test
    @Order(2)
    void aZoneWithRestartPolicyRunsAgainAndKeepsItsFailureInItsHistory() throws Exception {
        create("zr", "h1", "restart");
        long t0 = System.nanoTime();
        fixture.cluster().driverOf("h1").killActiveInstance("zr");
        awaitZone(
                "zr",
                z -> !fixture.api().get("/v1/zones/zr/failures", JsonNode.class).isEmpty(),
                15); // the failure is recorded within seconds
        JsonNode zone =
                awaitZone(
                        "zr",
                        z ->
                                z.path("state").asText().equals("RUNNING")
                                        && fixture.api()
                                                .get("/v1/zones/zr/failures", JsonNode.class)
                                                .get(0)
                                                .path("outcome")
                                                .asText()
                                                .startsWith("restarted"),
                        120);
        System.out.printf(
                "ZoneFailureTest: zr RUNNING again %d ms after the kill%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertThat(zone.path("host").asText()).isEqualTo("h1");
        assertThat(zone.path("reason").isNull()).isTrue();
        assertThat(zone.path("definition").path("restart").asText()).isEqualTo("restart");
        JsonNode failures = fixture.api().get("/v1/zones/zr/failures", JsonNode.class);
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).path("failure").path("reason").asText()).contains("SIGKILL");
        assertThat(failures.get(0).path("failure").path("consoleTail").asText())
                .as("the console's last lines of the VM that died")
                .isNotBlank();
        assertThat(failureCounts()).containsEntry("zr@h1", 1.0);

        // QEMU's word: exactly one running copy, on h1, and its zone server answers.
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), List.of("zr"));
        ZoneQuery.inputs(new InetSocketAddress(address("zr"), 7000), Duration.ofSeconds(10));
        assertThat(agentZone("h1", "zr").path("state").asText()).isEqualTo("RUNNING");

        // A deliberate end is no death: after a delete nothing more is reported.
        fixture.api().delete("/v1/zones/zr", Duration.ofMinutes(1));
        Thread.sleep(3000);
        assertThat(count(agentLog("h1"), "zone zr died")).isEqualTo(1);
        assertThat(
                        count(
                                Files.readString(
                                        fixture.cluster().dir().resolve("coordinator.log")),
                                "zone zr FAILED"))
                .isEqualTo(1);
    }

    @Test
    @Order(3)
    void anAgentKilledInASwitchoverPauseSettlesItsZoneWhenItStartsAgain() throws Exception {
        create("zm", "h1", null);
        // Stand in for the players' gateway: when the source agent asks about its hold — after
        // the switchover pause began and the source's tap went down — kill that agent.
        URI gatewayUrl = URI.create(fixture.cluster().state().gatewayUrl());
        fixture.cluster().killGateway();
        CountDownLatch killed = new CountDownLatch(1);
        long agentPid = fixture.cluster().state().agentPids().get("h1");
        HttpServer gateway =
                HttpServer.create(
                        new InetSocketAddress(gatewayUrl.getHost(), gatewayUrl.getPort()), 0);
        gateway.createContext(
                "/",
                exchange -> {
                    if (exchange.getRequestMethod().equals("GET")
                            && exchange.getRequestURI().getPath().equals("/v1/zones/zm/hold")) {
                        ProcessHandle.of(agentPid)
                                .ifPresent(
                                        h -> {
                                            h.destroyForcibly();
                                            h.onExit().join();
                                        });
                        killed.countDown();
                    }
                    byte[] body = "{\"abortRequired\":false}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        gateway.start();
        long plan;
        try {
            plan =
                    fixture.api()
                            .post("/v1/zones/zm/migrate", Map.of("to", "h2"), JsonNode.class)
                            .path("plan")
                            .path("id")
                            .asLong();
            assertThat(killed.await(90, TimeUnit.SECONDS))
                    .as("the source agent reached the switchover pause")
                    .isTrue();
        } finally {
            gateway.stop(0);
        }
        // The coordinator cannot ask the source and the destination never got the whole zone:
        // its move waits, resuming and discarding nothing (MoveResolution).
        assertThat(
                        fixture.api()
                                .get("/v1/plans/" + plan, JsonNode.class)
                                .path("plan")
                                .path("state")
                                .asText())
                .isEqualTo("RUNNING");

        // What the dead agent left: the zone's source stopped in QEMU's switchover pause, its tap
        // down, its migration waiting for a continue that will never come; nothing runs it.
        List<QemuCensus.Copy> before =
                QemuCensus.under(fixture.cluster().dir()).stream()
                        .filter(c -> c.zone().equals("zm"))
                        .toList();
        // Two copies exist — the stopped source on h1 and the destination waiting on h2 — and
        // neither executes guest code.
        assertThat(before).as("census %s", before).noneMatch(QemuCensus.Copy::running);
        assertThat(before).filteredOn(c -> c.host().equals("h1")).hasSize(1);
        assertThat(fixture.cluster().driverOf("h1").activeTapUp("zm")).isFalse();

        long t0 = System.nanoTime();
        fixture.restartAgent("h1");
        // The restarted agent cancelled the orphaned migration and runs the zone again, once.
        awaitZone(
                "zm",
                z ->
                        z.path("state").asText().equals("RUNNING")
                                && z.path("host").asText().equals("h1"),
                60);
        System.out.printf(
                "ZoneFailureTest: zm RUNNING in the registry %d ms after the agent restart began%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), List.of("zm"));
        // With the source running again, the move rolled back: its waiting destination is gone.
        JsonNode ended = awaitPlan(plan);
        assertThat(ended.path("state").asText()).isEqualTo("FAILED");
        assertThat(ended.path("moves").get(0).path("error").asText())
                .startsWith("rolled back:")
                .contains("the zone runs on h1");
        assertThat(fixture.cluster().driverOf("h1").activeTapUp("zm")).isTrue();
        ZoneQuery.inputs(new InetSocketAddress(address("zm"), 7000), Duration.ofSeconds(10));
        JsonNode onAgent = agentZone("h1", "zm");
        assertThat(onAgent.path("state").asText()).isEqualTo("RUNNING");
        assertThat(onAgent.path("note").asText())
                .contains("cancelled an outgoing migration (pre-switchover)", "tap up");
        assertThat(agentLog("h1")).contains("cancelled an outgoing migration (pre-switchover)");
        assertThat(fixture.api().get("/v1/zones/zm/failures", JsonNode.class)).isEmpty();

        fixture.api().delete("/v1/zones/zm", Duration.ofMinutes(1));
        fixture.restartGateway();
    }

    private static void create(String zone, String host, String restart) {
        fixture.createZone(new ZoneService.CreateZone(zone, host, 192L, 1, null, restart));
    }

    private static JsonNode awaitPlan(long id) throws InterruptedException {
        return fixture.awaitPlanEnd(id, Duration.ofMinutes(4), Duration.ofMillis(200));
    }

    private static JsonNode awaitZone(String zone, Predicate<JsonNode> until, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode z = null;
        while (System.nanoTime() < deadline) {
            try {
                z = fixture.api().get("/v1/zones/" + zone, JsonNode.class);
                if (until.test(z)) {
                    return z;
                }
            } catch (RuntimeException e) {
                // the coordinator is busy or an agent restarting: ask again
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "zone " + zone + " not as expected within " + seconds + " s: " + z);
    }

    private static String address(String zone) {
        return fixture.api()
                .get("/v1/zones/" + zone, JsonNode.class)
                .path("definition")
                .path("address")
                .asText()
                .split("/")[0];
    }

    /** The zone as its host's agent lists it. */
    private static JsonNode agentZone(String host, String zone) {
        String url = "http://" + fixture.cluster().state().hostAddresses().get(host) + ":7700";
        return new HttpAgentGateway(URI.create(url), fixture.cluster().token())
                .zones().stream()
                        .filter(s -> s.zone().equals(zone))
                        .findFirst()
                        .map(
                                s ->
                                        io.livezone.core.http.JsonHttpServer.JSON
                                                .<JsonNode>valueToTree(s))
                        .orElseThrow(() -> new AssertionError(host + " does not list " + zone));
    }

    private static JsonNode dashboardZone(String zone) {
        for (JsonNode z : fixture.api().get("/v1/dashboard", JsonNode.class).path("zones")) {
            if (z.path("name").asText().equals(zone)) {
                return z;
            }
        }
        throw new AssertionError("the dashboard does not show " + zone);
    }

    /** {@code zone@host} → livezone_zone_failures_total, from the coordinator's /metrics. */
    private static Map<String, Double> failureCounts() throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        fixture.cluster().state().coordinatorUrl()
                                                                + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        Map<String, Double> out = new java.util.TreeMap<>();
        Matcher m = FAILURES_METRIC.matcher(r.body());
        while (m.find()) {
            out.put(m.group(2) + "@" + m.group(1), Double.parseDouble(m.group(3)));
        }
        return out;
    }

    private static String agentLog(String host) throws IOException {
        return Files.readString(
                fixture.cluster().dir().resolve("hosts").resolve(host).resolve("agent.log"));
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }

    /** Runs a {@code livezone} command against this cluster; returns what it printed. */
    private static String cli(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 4];
            System.arraycopy(args, 0, all, 0, args.length);
            all[args.length] = "--cluster";
            all[args.length + 1] = fixture.name();
            all[args.length + 2] = "--cluster-root";
            all[args.length + 3] = fixture.root().toString();
            assertThat(LiveZoneCli.run(all))
                    .as("exit status of livezone %s", List.of(args))
                    .isZero();
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
