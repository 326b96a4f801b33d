package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.lab.cluster.LocalCluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real local cluster for one test class: its temp root and random name, its coordinator's API,
 * the zones and plans most tests start the same way, and the clean down every test checks.
 *
 * <p>Made in two steps, {@code new} then {@link #up}, so that a cluster that fails to come up is
 * still checked for leftovers: JUnit runs {@code @AfterAll}, and so {@link #close}, after a failed
 * {@code @BeforeAll}.
 */
final class ClusterFixture {
    private final Path root;
    private final String name;
    private LocalCluster cluster;
    private JsonHttpClient api;

    /** A new temp root ({@code rootPrefix}...) and a name {@code namePrefix} plus four digits. */
    ClusterFixture(String rootPrefix, String namePrefix) throws IOException {
        root = Files.createTempDirectory(rootPrefix);
        name = namePrefix + ThreadLocalRandom.current().nextInt(1000, 9999);
    }

    /** Brings the cluster up from its YAML configuration. */
    void up(String config, Duration timeout) {
        cluster = LocalCluster.up(root, name, ClusterConfig.parse(config), timeout);
        api = cluster.api();
    }

    Path root() {
        return root;
    }

    String name() {
        return name;
    }

    /** The cluster as last restarted: its state holds the current pids. */
    LocalCluster cluster() {
        return cluster;
    }

    JsonHttpClient api() {
        return api;
    }

    /** Creates a zone without a disk; see {@link #createZone(ZoneService.CreateZone)}. */
    JsonNode createZone(String zone, String host, long memoryMiB, int vcpus) {
        return createZone(new ZoneService.CreateZone(zone, host, memoryMiB, vcpus));
    }

    /** Creates a zone and checks it runs; allows 5 minutes, as a TCG guest boots slowly. */
    JsonNode createZone(ZoneService.CreateZone zone) {
        JsonNode created = api.post("/v1/zones", zone, JsonNode.class, Duration.ofMinutes(5));
        assertThat(created.path("state").asText()).isEqualTo("RUNNING");
        return created;
    }

    /** Submits a plan of {@code moves} (zone → host); returns its id. */
    long submitPlan(String algorithm, Map<String, String> moves, MigrationSettings settings) {
        List<PlanRequest.Move> list = new ArrayList<>();
        moves.forEach((z, h) -> list.add(new PlanRequest.Move(z, h)));
        return api.post("/v1/plans", new PlanRequest(algorithm, list, settings, 0), JsonNode.class)
                .path("plan")
                .path("id")
                .asLong();
    }

    /** {@link #awaitPlanEnd(long, Duration, Duration)}, asking every 300 ms. */
    JsonNode awaitPlanEnd(long id, Duration timeout) throws InterruptedException {
        return awaitPlanEnd(id, timeout, Duration.ofMillis(300));
    }

    /**
     * Waits until the plan is no longer RUNNING; returns it. An API error fails at once: a test
     * that restarts the coordinator under a plan waits its own way.
     */
    JsonNode awaitPlanEnd(long id, Duration timeout, Duration poll) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode plan = api.get("/v1/plans/" + id, JsonNode.class).path("plan");
            if (!plan.path("state").asText().equals("RUNNING")) {
                return plan;
            }
            Thread.sleep(poll);
        }
        throw new AssertionError("plan " + id + " did not end within " + timeout);
    }

    /** Restarts the coordinator, and a new client: none of its connections predate the restart. */
    void restartCoordinator() {
        cluster = cluster.restartCoordinator();
        api = cluster.api();
    }

    /** Restarts a host's agent, and starts a new coordinator client too. */
    void restartAgent(String host) {
        cluster = cluster.restartAgent(host);
        api = cluster.api();
    }

    /** Restarts the players' gateway; the coordinator client stays. */
    void restartGateway() {
        cluster = cluster.restartGateway();
    }

    /**
     * Takes the cluster down (when it came up) and checks it left nothing ({@link
     * ClusterChecks#downLeavingNothing}); a second call does not take it down again.
     */
    void close() throws IOException {
        ClusterChecks.downLeavingNothing(root, name, cluster != null);
        cluster = null;
    }
}
