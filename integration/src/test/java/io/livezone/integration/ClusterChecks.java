package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.http.JsonHttpClient;
import io.livezone.lab.QemuCensus;
import io.livezone.lab.cluster.LocalCluster;
import io.livezone.network.HostNetwork;
import io.livezone.network.ZoneNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What every real-cluster test checks the same way: placement, one VM per zone, a clean down. */
final class ClusterChecks {
    private ClusterChecks() {}

    /** Zone → host, as the coordinator's registry has it. */
    static Map<String, String> placement(JsonHttpClient api) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode z : api.get("/v1/zones", JsonNode.class)) {
            out.put(z.path("definition").path("name").asText(), z.path("host").asText());
        }
        return out;
    }

    /**
     * Waits until the plan's first move is MIGRATING past {@code percent}; returns that move. Fails
     * when the move is seen in any state but PENDING, PREPARING or MIGRATING, or after 60 s.
     */
    static JsonNode awaitFirstMoveMigrating(JsonHttpClient api, long plan, double percent)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode m =
                    api.get("/v1/plans/" + plan, JsonNode.class).path("plan").path("moves").get(0);
            if (m.path("state").asText().equals("MIGRATING")
                    && m.path("percent").asDouble() > percent) {
                return m;
            }
            assertThat(m.path("state").asText()).isIn("PENDING", "PREPARING", "MIGRATING");
            Thread.sleep(100);
        }
        throw new AssertionError("plan " + plan + " never got past " + percent + "% migrating");
    }

    /**
     * Asks every QEMU process of the cluster over QMP for its run state: each of {@code zones}, and
     * no other, has exactly one copy in state {@code running}, on the host the registry names.
     * Copies in other states (a paused source, an incoming destination) are allowed: they execute
     * no guest code.
     */
    static void assertEachZoneRunsExactlyOnce(LocalCluster cluster, Collection<String> zones) {
        List<QemuCensus.Copy> copies = QemuCensus.under(cluster.dir());
        Map<String, List<String>> runningOn = new TreeMap<>();
        for (QemuCensus.Copy c : copies) {
            if (c.running()) {
                runningOn.computeIfAbsent(c.zone(), k -> new ArrayList<>()).add(c.host());
            }
        }
        assertThat(runningOn.keySet())
                .as("zones with a running QEMU; census %s", copies)
                .containsExactlyInAnyOrderElementsOf(zones);
        Map<String, String> registry = placement(cluster.api());
        runningOn.forEach(
                (zone, hosts) -> {
                    assertThat(hosts).as("hosts running %s; census %s", zone, copies).hasSize(1);
                    assertThat(hosts.get(0))
                            .as("host running %s, as the registry says", zone)
                            .isEqualTo(registry.get(zone));
                });
    }

    /**
     * Takes the cluster down (when it came up) and checks it left nothing: no QEMU process, host
     * network, zone namespace, state folder or other file under the root, which it removes.
     */
    static void downLeavingNothing(Path root, String name, boolean wasUp) throws IOException {
        if (wasUp) {
            LocalCluster.down(root, name);
        }
        assertThat(Leftovers.qemuProcessesMentioning(root.toString())).isEmpty();
        assertThat(HostNetwork.leftovers(name)).isEmpty();
        assertThat(ZoneNetwork.namespaces()).doesNotContain("lz-c" + name);
        assertThat(root.resolve(name)).doesNotExist();
        try (var left = Files.list(root)) {
            assertThat(left.toList()).as("files left under %s", root).isEmpty();
        }
        Files.delete(root);
    }
}
