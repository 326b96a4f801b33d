package io.livezone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.dve.bot.AggregateStats;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.lab.HostState;
import io.livezone.lab.cluster.LocalCluster;
import io.livezone.lab.cluster.LocalZoneDisks;
import io.livezone.link.Bandwidth;
import io.livezone.link.Durations;
import io.livezone.qemu.AcceleratorProbe;
import io.livezone.qemu.GuestImage;
import io.livezone.storage.GuestDiskContent;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code livezone bench storage}: zone disks across two sites of a local cluster.
 *
 * <ol>
 *   <li>N zones whose disks are overlays on one base image move from site a to site b in one plan:
 *       the base must cross the link once, then only the overlays. Wire bytes (base transfer plus
 *       disk mirrors, protocol included) against unique bytes (the base image file plus each
 *       overlay's data at its switchover); target ≤ 1.05. Every disk is checked after its move.
 *   <li>Two zones, one with its disk on its host, one with its disk served from the other site:
 *       bots' round-trip times on each, and how fast each guest gets its disk records written (one
 *       4 KiB write and a flush per record).
 * </ol>
 *
 * Progress goes to stderr with {@code --json}; the last line of stdout is one JSON object.
 */
@Command(
        name = "storage",
        mixinStandardHelpOptions = true,
        description =
                "Zone disks across sites: N zones sharing a base image moved to another site"
                        + " (bytes on the wire vs unique bytes), and bots on a zone with a remote"
                        + " disk vs a local one.")
public final class StorageBench implements Callable<Integer> {
    private static final String BASE = "world";
    private static final double TARGET = 1.05;
    private static final Duration WARM_UP = Duration.ofSeconds(20);

    @Option(names = "--json", description = "Only JSON on stdout (progress goes to stderr).")
    boolean json;

    @Option(names = "--zones", defaultValue = "3", description = "Zones moved (default: 3).")
    int zones;

    @Option(names = "--memory-mib", defaultValue = "160")
    long memoryMiB;

    @Option(names = "--base-mib", defaultValue = "32", description = "Base image size, ≤ 64.")
    long baseMiB;

    @Option(names = "--latency", defaultValue = "25ms", description = "One-way link latency.")
    String latency;

    @Option(names = "--bandwidth", defaultValue = "200mbit", description = "Link bandwidth.")
    String bandwidth;

    @Option(names = "--algorithm", defaultValue = "parallel", description = "Plan algorithm.")
    String algorithm;

    @Option(names = "--bots", defaultValue = "6", description = "Bots per zone (latency part).")
    int bots;

    @Option(names = "--window-s", defaultValue = "30", description = "Latency window, seconds.")
    int windowSeconds;

    @Option(names = "--cluster-root", defaultValue = "/run/livezone/clusters")
    Path root;

    private PrintStream progress;

    @Override
    public Integer call() throws Exception {
        HostState.requireRoot();
        if (zones < 1 || zones > 6) {
            throw new InvalidInputException("--zones must be 1..6 (TCG guests on few cores)");
        }
        if (bots < 1 || bots > 50 || windowSeconds < 5 || windowSeconds > 600) {
            throw new InvalidInputException("--bots must be 1..50 and --window-s 5..600");
        }
        long latencyMs = Durations.parse(latency).toMillis();
        long bytesPerSec = Bandwidth.parse(bandwidth);
        progress = json ? System.err : System.out;
        String name = "sb" + ThreadLocalRandom.current().nextInt(100, 1000);
        String yaml =
                """
                sites:
                  - name: a
                    hosts: [{name: h1, memory: 4GiB}, {name: h2, memory: 4GiB}]
                  - name: b
                    hosts: [{name: h3, memory: 4GiB}]
                links:
                  - {between: [a, b], latency: %s, jitter: 1ms, bandwidth: %s}
                """
                        .formatted(latency, bandwidth);
        progress.printf(
                "starting cluster %s: sites a (h1, h2) and b (h3), link %d ms / %s%n",
                name, latencyMs, bandwidth);
        ObjectNode out = new ObjectMapper().createObjectNode();
        LocalCluster cluster =
                LocalCluster.up(root, name, ClusterConfig.parse(yaml), Duration.ofSeconds(120));
        try {
            out.put("accel", AcceleratorProbe.detect(GuestImage.installed()).id());
            out.put("link_latency_ms", latencyMs);
            out.put("link_bytes_per_sec", bytesPerSec);
            JsonHttpClient api = cluster.api();
            JsonNode image =
                    api.post(
                                    "/v1/images",
                                    new StorageService.CreateImage(BASE, "a", baseMiB),
                                    JsonNode.class,
                                    Duration.ofMinutes(5))
                            .path("image");
            progress.printf(
                    "base image %s: %d MiB, %d bytes, at site a%n",
                    BASE, baseMiB, image.path("fileBytes").asLong());
            moves(cluster, api, image, out);
            latencies(cluster, api, out);
        } finally {
            progress.println("removing cluster " + name);
            LocalCluster.down(root, name);
        }
        System.out.println(new ObjectMapper().writeValueAsString(out));
        return 0;
    }

    /** Part 1: N zones on one base move to the other site. */
    private void moves(LocalCluster cluster, JsonHttpClient api, JsonNode image, ObjectNode out) {
        LocalZoneDisks disks = new LocalZoneDisks(cluster);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= zones; i++) {
            String zone = "z" + i;
            String host = i % 2 == 1 ? "h1" : "h2";
            progress.printf("creating zone %s on %s (disk: overlay on %s)%n", zone, host, BASE);
            create(api, zone, host, new StorageService.DiskRequest(BASE, null, null, true));
            names.add(zone);
        }
        Map<String, Long> announced = new LinkedHashMap<>();
        for (String zone : names) {
            announced.put(zone, disks.awaitAnnounced(zone, 40, Duration.ofMinutes(3)));
        }
        progress.printf("moving %d zones to site b (%s plan)%n", zones, algorithm);
        List<PlanRequest.Move> moves = new ArrayList<>();
        names.forEach(z -> moves.add(new PlanRequest.Move(z, "h3")));
        JsonNode plan = runPlan(api, new PlanRequest(algorithm, moves, null, 0));
        double seconds =
                (plan.path("finishedMillis").asLong() - plan.path("createdMillis").asLong())
                        / 1000.0;
        long memoryBytes = 0;
        long maxDowntime = 0;
        for (JsonNode m : plan.path("moves")) {
            memoryBytes += m.path("transferredBytes").asLong();
            maxDowntime = Math.max(maxDowntime, m.path("downtimeMillis").asLong());
        }
        long baseWire = 0;
        int baseTransfers = 0;
        long mirrorWire = 0;
        long overlayData = 0;
        for (JsonNode t : api.get("/v1/storage", JsonNode.class).path("transfers")) {
            switch (t.path("kind").asText()) {
                case "base" -> {
                    baseWire += t.path("wireBytes").asLong();
                    baseTransfers++;
                }
                case "mirror-top", "mirror-full" -> {
                    mirrorWire += t.path("wireBytes").asLong();
                    overlayData += t.path("dataBytes").asLong();
                }
                default -> {}
            }
        }
        long baseBytes = image.path("fileBytes").asLong();
        long unique = baseBytes + overlayData;
        long wire = baseWire + mirrorWire;
        boolean verified = true;
        for (String zone : names) {
            GuestDiskContent.Check check = disks.check(zone, BASE);
            boolean ok = check.ok() && check.maxSequence() >= announced.get(zone);
            verified &= ok;
            progress.printf(
                    "  %s: %s (announced %d before the move)%n", zone, check, announced.get(zone));
        }
        progress.printf(
                "moved in %.1f s: base %d bytes sent %d time(s), overlays %d bytes of data, %d on"
                        + " the wire; wire/unique = %.3f%n",
                seconds, baseBytes, baseTransfers, overlayData, mirrorWire, (double) wire / unique);
        out.put("zones", zones);
        out.put("plan_state", plan.path("state").asText());
        out.put("move_s", round(seconds));
        out.put("base_bytes", baseBytes);
        out.put("base_transfers", baseTransfers);
        out.put("overlay_bytes", overlayData);
        out.put("unique_bytes", unique);
        out.put("base_wire_bytes", baseWire);
        out.put("mirror_wire_bytes", mirrorWire);
        out.put("wire_bytes", wire);
        out.put("wire_over_unique", round((double) wire / unique, 4));
        out.put("overlay_wire_over_data", round((double) mirrorWire / Math.max(1, overlayData)));
        out.put("target_met", (double) wire / unique <= TARGET);
        out.put("memory_bytes", memoryBytes);
        out.put("max_downtime_ms", maxDowntime);
        out.put("disks_verified", verified);
        for (String zone : names) {
            api.delete("/v1/zones/" + zone, Duration.ofMinutes(1));
        }
    }

    /**
     * Part 2: bots and the guest's disk writer on a zone with a local and one with a remote disk.
     */
    private void latencies(LocalCluster cluster, JsonHttpClient api, ObjectNode out)
            throws InterruptedException {
        LocalZoneDisks disks = new LocalZoneDisks(cluster);
        progress.println("creating zone loc on h1 (disk on h1) and rem on h2 (disk on h3, site b)");
        create(api, "loc", "h1", new StorageService.DiskRequest(BASE, null, null, true));
        create(api, "rem", "h2", new StorageService.DiskRequest(BASE, null, "h3", true));
        disks.awaitAnnounced("loc", 10, Duration.ofMinutes(2));
        disks.awaitAnnounced("rem", 10, Duration.ofMinutes(2));
        try (BotSwarm local = bots(api, "loc");
                BotSwarm remote = bots(api, "rem")) {
            // A fresh guest JIT-compiles its zone server under TCG for a while: not measured.
            progress.printf("warming up for %d s%n", WARM_UP.toSeconds());
            Thread.sleep(WARM_UP.toMillis());
            local.cutWindow();
            remote.cutWindow();
            WriterRate locRate = new WriterRate(disks, "loc");
            WriterRate remRate = new WriterRate(disks, "rem");
            progress.printf("measuring for %d s with %d bots per zone%n", windowSeconds, bots);
            Thread.sleep(windowSeconds * 1000L);
            AggregateStats l = local.cutWindow().aggregate();
            AggregateStats r = remote.cutWindow().aggregate();
            double locPerSec = locRate.stop();
            double remPerSec = remRate.stop();
            progress.printf(
                    "  local disk:  bot RTT p50 %.1f ms, p99 %.1f ms; %.2f disk records/s%n",
                    l.rtt().p50Ms(), l.rtt().p99Ms(), locPerSec);
            progress.printf(
                    "  remote disk: bot RTT p50 %.1f ms, p99 %.1f ms; %.2f disk records/s%n",
                    r.rtt().p50Ms(), r.rtt().p99Ms(), remPerSec);
            out.put("bots_per_zone", bots);
            out.put("bot_rtt_ms_p50_local", round(l.rtt().p50Ms()));
            out.put("bot_rtt_ms_p99_local", round(l.rtt().p99Ms()));
            out.put("bot_rtt_ms_p50_remote", round(r.rtt().p50Ms()));
            out.put("bot_rtt_ms_p99_remote", round(r.rtt().p99Ms()));
            out.put("bot_disconnects", l.disconnected() + r.disconnected());
            out.put("disk_records_per_s_local", round(locPerSec));
            out.put("disk_records_per_s_remote", round(remPerSec));
            // The writer pauses 200 ms between records; the rest is its write and flush (and,
            // under TCG on a busy host, waiting for the CPU).
            out.put("disk_record_ms_local", round(locPerSec > 0 ? 1000 / locPerSec - 200 : -1));
            out.put("disk_record_ms_remote", round(remPerSec > 0 ? 1000 / remPerSec - 200 : -1));
            out.put("host_load_avg_1m", loadAverage());
        }
        GuestDiskContent.Check loc = disks.check("loc", BASE);
        GuestDiskContent.Check rem = disks.check("rem", BASE);
        progress.printf("  %s%n  %s%n", loc, rem);
        out.put("disks_verified", out.path("disks_verified").asBoolean() && loc.ok() && rem.ok());
        api.delete("/v1/zones/loc", Duration.ofMinutes(1));
        api.delete("/v1/zones/rem", Duration.ofMinutes(1));
    }

    private void create(
            JsonHttpClient api, String zone, String host, StorageService.DiskRequest disk) {
        api.post(
                "/v1/zones",
                new ZoneService.CreateZone(zone, host, memoryMiB, 1, disk),
                JsonNode.class,
                Duration.ofMinutes(5));
    }

    private BotSwarm bots(JsonHttpClient api, String zone) throws InterruptedException {
        String address =
                api.get("/v1/zones/" + zone, JsonNode.class)
                        .path("definition")
                        .path("address")
                        .asText()
                        .split("/")[0];
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                BotSwarm swarm =
                        BotSwarm.start(
                                new InetSocketAddress(address, 7000),
                                bots,
                                BotConfig.defaults().withNamePrefix("sb-" + zone));
                if (!swarm.awaitAllReceiving(Duration.ofSeconds(60))) {
                    swarm.close();
                    throw new LiveZoneException("bots of zone " + zone + " got no updates in 60 s");
                }
                return swarm;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new LiveZoneException(
                            "cannot attach bots to zone " + zone + ": " + e.getMessage());
                }
                progress.printf(
                        "  zone %s not answering yet (%s); retrying%n", zone, e.getMessage());
                Thread.sleep(2000);
            }
        }
    }

    /**
     * How fast a guest's disk writer gets records onto its disk: its announcements (every tenth
     * record) polled from the console, timed where the announced number changes.
     */
    private static final class WriterRate {
        private final Thread poller;
        private volatile long firstSeq = -1;
        private volatile long firstNanos;
        private volatile long lastSeq = -1;
        private volatile long lastNanos;

        WriterRate(LocalZoneDisks disks, String zone) {
            long start = disks.announced(zone);
            poller = Thread.ofVirtual().start(() -> poll(disks, zone, start));
        }

        private void poll(LocalZoneDisks disks, String zone, long start) {
            long seen = start;
            while (!Thread.currentThread().isInterrupted()) {
                long now;
                try {
                    now = disks.announced(zone);
                } catch (RuntimeException e) {
                    now = seen; // console or API busy: next time
                }
                if (now != seen) {
                    if (firstSeq < 0) {
                        firstSeq = now;
                        firstNanos = System.nanoTime();
                    } else {
                        lastSeq = now;
                        lastNanos = System.nanoTime();
                    }
                    seen = now;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Records per second between the first and the last change seen; 0 if too few. */
        double stop() throws InterruptedException {
            poller.interrupt();
            poller.join();
            if (firstSeq < 0 || lastSeq <= firstSeq) {
                return 0;
            }
            return (lastSeq - firstSeq) / ((lastNanos - firstNanos) / 1e9);
        }
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static JsonNode runPlan(JsonHttpClient api, PlanRequest request) {
        return PlanRuns.run(api, request, Duration.ofMinutes(20));
    }

    private static double round(double v) {
        return round(v, 2);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
