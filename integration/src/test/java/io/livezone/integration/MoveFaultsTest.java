package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.cluster.MigrationSettings;
import io.livezone.lab.QemuCensus;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Faults in the middle of a real move, judged by what the QEMU processes do (QMP run state of every
 * process of the cluster), not by what the coordinator believes. Issue H's representative cells;
 * the full matrix is a benchmark.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MoveFaultsTest {
    private static final String CONFIG =
            """
            sites:
              - name: a
                hosts: [{name: h1, memory: 1GiB}, {name: h2, memory: 1GiB}]
            """;

    private static ClusterFixture fixture;

    @BeforeAll
    static void up() throws Exception {
        fixture = new ClusterFixture("lzf", "f");
        fixture.up(CONFIG, Duration.ofSeconds(90));
        for (String zone : List.of("fa", "fb")) {
            fixture.createZone(zone, "h1", 160L, 1);
        }
    }

    @AfterAll
    static void down() throws IOException {
        fixture.close();
    }

    /**
     * The destination's QEMU is SIGKILLed mid pre-copy: the migration fails, the destination never
     * ran, so it is fenced and the source goes on; a move back later succeeds.
     */
    @Test
    @Order(1)
    void destinationQemuKilledInPrecopyRollsBackToTheSource() throws Exception {
        long id = submitSlow("fa", "h2");
        ClusterChecks.awaitFirstMoveMigrating(fixture.api(), id, 5);
        killCopy("fa", "h2");

        JsonNode plan = awaitEnd(id);
        assertThat(plan.path("state").asText()).isEqualTo("FAILED");
        assertThat(plan.path("moves").get(0).path("error").asText())
                .startsWith("rolled back:")
                .contains("the zone runs on h1");
        assertThat(ClusterChecks.placement(fixture.api())).containsEntry("fa", "h1");
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), List.of("fa", "fb"));
        assertThat(copies("fa")).as("only the source's QEMU is left").hasSize(1);

        JsonNode again = awaitEnd(submitSlow("fa", "h2"));
        assertThat(again.path("state").asText()).as(again.toString()).isEqualTo("DONE");
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), List.of("fa", "fb"));
    }

    /**
     * The source's QEMU is SIGKILLed mid pre-copy: the destination never received the whole zone,
     * so no copy can run it. The control plane says so — the zone at risk (LOST), the move failed
     * naming it — and runs nothing: no copy of the zone executes anywhere.
     */
    @Test
    @Order(2)
    void sourceQemuKilledInPrecopyIsReportedAtRiskAndNothingRuns() throws Exception {
        long id = submitSlow("fb", "h2");
        ClusterChecks.awaitFirstMoveMigrating(fixture.api(), id, 5);
        killCopy("fb", "h1");

        JsonNode plan = awaitEnd(id);
        assertThat(plan.path("state").asText()).isEqualTo("FAILED");
        assertThat(plan.path("moves").get(0).path("error").asText())
                .startsWith("zone at risk:")
                .contains("never received the whole zone");
        assertThat(fixture.api().get("/v1/zones/fb", JsonNode.class).path("state").asText())
                .isEqualTo("LOST");
        assertThat(
                        QemuCensus.under(fixture.cluster().dir()).stream()
                                .filter(c -> c.zone().equals("fb") && c.running()))
                .as("no running copy of fb")
                .isEmpty();
        fixture.api().delete("/v1/zones/fb", Duration.ofSeconds(30));
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), List.of("fa"));
    }

    private static List<QemuCensus.Copy> copies(String zone) {
        return QemuCensus.under(fixture.cluster().dir()).stream()
                .filter(c -> c.zone().equals(zone))
                .toList();
    }

    /** SIGKILL of the zone's QEMU on {@code host}, as a crash would end it. */
    private static void killCopy(String zone, String host) {
        // Found by command line only: asking a migrating VM's busy monitor would take seconds.
        List<QemuCensus.Process> there =
                QemuCensus.processes(fixture.cluster().dir()).stream()
                        .filter(c -> c.zone().equals(zone) && c.host().equals(host))
                        .toList();
        assertThat(there).as("QEMU of %s on %s", zone, host).hasSize(1);
        ProcessHandle.of(there.get(0).pid())
                .ifPresent(
                        p -> {
                            p.destroyForcibly();
                            p.onExit().join();
                        });
    }

    /** A move capped at 3 MB/s: long enough to interfere with. */
    private static long submitSlow(String zone, String to) {
        return fixture.submitPlan(
                "sequential", Map.of(zone, to), new MigrationSettings(30, 3_000_000, true, false));
    }

    private static JsonNode awaitEnd(long id) throws InterruptedException {
        return fixture.awaitPlanEnd(id, Duration.ofMinutes(4));
    }
}
