package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.ApiException;
import io.livezone.lab.cluster.LocalZoneDisks;
import io.livezone.storage.GuestDiskContent;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Zone disks in a real local cluster (two sites joined by an emulated link): a disk that moves with
 * its zone as an overlay on a base image each site caches once (modes a and c), a disk served by
 * another host and later pulled to its zone's host while it runs (mode b), and a cancelled move
 * that leaves the zone and its disk where they were. After every storage move the disk is checked:
 * the guest keeps writing self-checking records, and every record must be intact, none lost, and
 * the newest at least the one the guest announced before the move.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterStorageTest {
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
    private static final String BASE = "world";
    private static final long MIB = 1 << 20;

    private static ClusterFixture fixture;
    private static LocalZoneDisks disks;
    private static long baseFileBytes;

    @BeforeAll
    static void up() throws Exception {
        fixture = new ClusterFixture("lzs", "s");
        fixture.up(CONFIG, Duration.ofSeconds(90));
        disks = new LocalZoneDisks(fixture.cluster());
        JsonNode image =
                fixture.api()
                        .post(
                                "/v1/images",
                                new StorageService.CreateImage(BASE, "a", 32L),
                                JsonNode.class,
                                Duration.ofMinutes(2));
        assertThat(image.path("sites").toString()).isEqualTo("[\"a\"]");
        baseFileBytes = image.path("image").path("fileBytes").asLong();
        assertThat(image.path("image").path("virtualSize").asLong()).isEqualTo(32 * MIB);
    }

    @AfterAll
    static void down() throws IOException {
        fixture.close();
        assertThat(storageDaemonsMentioning(fixture.root().toString())).isEmpty();
    }

    @Test
    @Order(1)
    void badDiskRequestsAreRejectedAndChangeNothing() {
        assertThatThrownBy(() -> create("bad", "h1", disk("nosuch", null, null)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown base image 'nosuch'");
        assertThatThrownBy(() -> create("bad", "h1", disk(BASE, 16L, null)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("smaller than its base image");
        assertThatThrownBy(() -> create("bad", "h1", disk(null, 8L, null)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> create("bad", "h1", disk(BASE, null, "h9")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("unknown host 'h9'");
        assertThatThrownBy(
                        () ->
                                fixture.api()
                                        .post(
                                                "/v1/images",
                                                new StorageService.CreateImage("huge", "a", 512L),
                                                JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("1..64 MiB");
        assertThatThrownBy(
                        () ->
                                fixture.api()
                                        .post(
                                                "/v1/images",
                                                new StorageService.CreateImage(BASE, "a", 8L),
                                                JsonNode.class))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(
                        () ->
                                fixture.api()
                                        .post("/v1/zones/nosuch/pull-disk", null, JsonNode.class))
                .hasMessageContaining("unknown zone 'nosuch'");
        assertThat(fixture.api().get("/v1/zones", JsonNode.class)).isEmpty();
        assertThat(fixture.api().get("/v1/storage", JsonNode.class).path("transfers")).isEmpty();
        assertThat(diskFiles()).isEmpty();
    }

    /** Modes (a) and (c): the base crosses the WAN once, then only overlays do. */
    @Test
    @Order(2)
    void overlaysMoveWithTheirZonesAndTheBaseCrossesTheLinkOnce() throws Exception {
        create("za", "h1", disk(BASE, null, null));
        create("zb", "h2", disk(BASE, null, null));
        long seenA = disks.awaitAnnounced("za", 30, Duration.ofMinutes(2));
        assertIntact("za", 0);

        JsonNode first = runPlan(Map.of("za", "h3"), null);
        assertThat(first.path("state").asText()).as(first.toString()).isEqualTo("DONE");
        assertThat(placement()).containsEntry("za", "h3");
        assertIntact("za", seenA);
        List<JsonNode> base = transfers("base");
        assertThat(base).hasSize(1);
        assertThat(base.get(0).path("toHost").asText()).isEqualTo("h3");
        assertThat(base.get(0).path("wireBytes").asLong())
                .isBetween(baseFileBytes, baseFileBytes + 4096);
        JsonNode mirrorA = only(transfers("mirror-top"), "za");
        long overlayA = mirrorA.path("dataBytes").asLong();
        assertThat(overlayA).isPositive().isLessThan(12 * MIB);
        // Only the overlay (plus what the guest rewrote meanwhile) crossed: far from the base.
        assertThat(mirrorA.path("wireBytes").asLong())
                .isBetween(overlayA / 2, overlayA + 4 * MIB)
                .isLessThan(baseFileBytes / 4);
        assertThat(siteOfImage()).containsExactly("a", "b");

        long seenB = disks.awaitAnnounced("zb", 30, Duration.ofMinutes(2));
        JsonNode second = runPlan(Map.of("zb", "h3"), null);
        assertThat(second.path("state").asText()).as(second.toString()).isEqualTo("DONE");
        assertIntact("zb", seenB);
        assertThat(transfers("base")).as("the base is never sent twice").hasSize(1);
        JsonNode mirrorB = only(transfers("mirror-top"), "zb");
        assertThat(mirrorB.path("wireBytes").asLong()).isLessThan(baseFileBytes / 4);

        assertEachZoneRunsExactlyOnce();
        assertThat(diskFiles())
                .as("source disks are gone")
                .allMatch(p -> p.contains("/hosts/h3/disks/"));
        fixture.api().delete("/v1/zones/za", Duration.ofMinutes(1));
        fixture.api().delete("/v1/zones/zb", Duration.ofMinutes(1));
        assertThat(diskFiles()).isEmpty();
    }

    /** Mode (b), a pull, a cancelled move and mode (a) with the whole disk. */
    @Test
    @Order(3)
    void remoteDiskIsPulledLiveAndAFailedMoveLeavesTheZoneWhereItWas() throws Exception {
        create("zc", "h2", disk(BASE, null, "h3"));
        assertThat(disks.image("zc").toString()).contains("/hosts/h3/served/zc/");
        long seen = disks.awaitAnnounced("zc", 10, Duration.ofMinutes(2));
        assertIntact("zc", seen);

        // A move of a zone with a remote disk moves its memory only.
        JsonNode plan = runPlan(Map.of("zc", "h1"), null);
        assertThat(plan.path("state").asText()).as(plan.toString()).isEqualTo("DONE");
        assertThat(transfers("mirror-top").stream().filter(t -> isFor(t, "zc"))).isEmpty();
        seen = disks.announced("zc");
        assertIntact("zc", seen);

        JsonNode pulled =
                fixture.api()
                        .post(
                                "/v1/zones/zc/pull-disk",
                                null,
                                JsonNode.class,
                                Duration.ofMinutes(5));
        assertThat(pulled.path("host").asText()).isEqualTo("h1");
        assertThat(pulled.path("definition").path("disk").path("remote").isNull()).isTrue();
        JsonNode pull = only(transfers("pull"), "zc");
        assertThat(pull.path("dataBytes").asLong()).isEqualTo(32 * MIB);
        assertThat(disks.image("zc").toString()).contains("/hosts/h1/disks/zc/");
        assertThat(storageDaemonsMentioning(fixture.root().toString())).isEmpty();
        assertThat(fixture.cluster().dir().resolve("hosts/h3/served/zc")).doesNotExist();
        assertIntact("zc", seen);
        assertThatThrownBy(() -> fixture.api().post("/v1/zones/zc/pull-disk", null, JsonNode.class))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("already local");

        // The pulled disk is standalone: it moves whole (mode a). First a move that is cancelled
        // while the disk is being mirrored (slowly): the zone stays, with its disk.
        seen = disks.announced("zc");
        long id = submit(Map.of("zc", "h3"), new MigrationSettings(30, 2_000_000, true, false));
        awaitDiskMirror(id);
        fixture.api().post("/v1/plans/" + id + "/cancel", null, JsonNode.class);
        JsonNode cancelled = await(id);
        assertThat(cancelled.path("state").asText()).isEqualTo("CANCELLED");
        assertThat(placement()).containsEntry("zc", "h1");
        assertThat(fixture.api().get("/v1/zones/zc", JsonNode.class).path("state").asText())
                .isEqualTo("RUNNING");
        assertThat(fixture.cluster().driverOf("h3").zoneNames()).doesNotContain("zc");
        assertThat(fixture.cluster().dir().resolve("hosts/h3/disks/zc")).doesNotExist();
        assertIntact("zc", seen);

        seen = disks.announced("zc");
        JsonNode moved = runPlan(Map.of("zc", "h3"), null);
        assertThat(moved.path("state").asText()).as(moved.toString()).isEqualTo("DONE");
        JsonNode full = only(transfers("mirror-full"), "zc");
        assertThat(full.path("dataBytes").asLong()).isGreaterThan(30 * MIB);
        assertIntact("zc", seen);
        assertThat(fixture.cluster().dir().resolve("hosts/h1/disks/zc")).doesNotExist();
        assertEachZoneRunsExactlyOnce();
    }

    private static StorageService.DiskRequest disk(String image, Long sizeMiB, String host) {
        return new StorageService.DiskRequest(image, sizeMiB, host, true);
    }

    private static void create(String zone, String host, StorageService.DiskRequest disk) {
        fixture.createZone(new ZoneService.CreateZone(zone, host, 160L, 1, disk));
    }

    private static void assertIntact(String zone, long atLeast) {
        GuestDiskContent.Check check = disks.check(zone, BASE);
        assertThat(check.ok()).as(check.toString()).isTrue();
        assertThat(check.maxSequence()).as(check.toString()).isGreaterThanOrEqualTo(atLeast);
        assertThat(check.records()).as(check.toString()).isPositive();
    }

    private static List<JsonNode> transfers(String kind) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode t : fixture.api().get("/v1/storage", JsonNode.class).path("transfers")) {
            if (t.path("kind").asText().equals(kind)) {
                out.add(t);
            }
        }
        return out;
    }

    private static boolean isFor(JsonNode transfer, String zone) {
        return transfer.path("zone").asText().equals(zone);
    }

    private static JsonNode only(List<JsonNode> transfers, String zone) {
        List<JsonNode> mine = transfers.stream().filter(t -> isFor(t, zone)).toList();
        assertThat(mine).as("transfers of %s", zone).hasSize(1);
        return mine.get(0);
    }

    private static List<String> siteOfImage() {
        List<String> sites = new ArrayList<>();
        for (JsonNode i : fixture.api().get("/v1/images", JsonNode.class)) {
            if (i.path("image").path("name").asText().equals(BASE)) {
                i.path("sites").forEach(s -> sites.add(s.asText()));
            }
        }
        return sites;
    }

    private static JsonNode runPlan(Map<String, String> moves, MigrationSettings settings)
            throws InterruptedException {
        return await(submit(moves, settings));
    }

    private static long submit(Map<String, String> moves, MigrationSettings settings) {
        return fixture.submitPlan("auto", moves, settings);
    }

    private static JsonNode await(long id) throws InterruptedException {
        return fixture.awaitPlanEnd(id, Duration.ofMinutes(4));
    }

    /** Waits until the plan's only move is copying the disk. */
    private static void awaitDiskMirror(long id) throws InterruptedException {
        JsonNode move = ClusterChecks.awaitFirstMoveMigrating(fixture.api(), id, 2);
        assertThat(move.path("percent").asDouble()).isLessThan(90);
    }

    private static Map<String, String> placement() {
        return ClusterChecks.placement(fixture.api());
    }

    private static void assertEachZoneRunsExactlyOnce() {
        ClusterChecks.assertEachZoneRunsExactlyOnce(fixture.cluster(), placement().keySet());
    }

    /** Every zone disk image on any host (own disks and served ones). */
    private static List<String> diskFiles() {
        return Leftovers.filesUnder(fixture.cluster().dir().resolve("hosts")).stream()
                .filter(p -> p.endsWith(".qcow2"))
                .toList();
    }

    private static List<String> storageDaemonsMentioning(String text) {
        return ProcessHandle.allProcesses()
                .filter(
                        p ->
                                p.info()
                                        .commandLine()
                                        .map(
                                                c ->
                                                        (c.contains("qemu-storage-daemon")
                                                                        || c.contains("qemu-nbd"))
                                                                && c.contains(text))
                                        .orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                .toList();
    }
}
