package io.livezone.cli;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.bench.ImagesBench;
import io.livezone.bots.clients.TeeworldsBrowser;
import io.livezone.cli.cluster.ClusterCommand;
import io.livezone.cli.cluster.PlanCommand;
import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.image.ZoneImageService;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.core.LiveZoneException;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.dve.bot.AggregateStats;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.image.ImageBuilder;
import io.livezone.image.ImageStore;
import io.livezone.lab.cluster.LocalCluster;
import io.livezone.lab.cluster.RttReporter;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main demo: a local cluster of three hosts in two sites, two zones with players attached and a
 * real game server from Debian's packages with a server browser querying it, then migration plans
 * across and within sites, with what the players felt. Everything is removed at the end, also on
 * failure or Ctrl-C.
 */
final class ClusterDemo {
    /**
     * Busy zones (bots playing) over a 100 Mbit/s WAN dirty memory faster than pre-copy can send it
     * within a 30 ms downtime: let a migration that has not converged after 30 s finish in
     * post-copy (measured: without it the auto swap never converges; with it the players' longest
     * update gap is ~0.4 s).
     */
    private static final MigrationSettings SETTINGS = new MigrationSettings(30, 0, true, true);

    /** The zone running Debian's Teeworlds server. */
    private static final String TEEWORLDS = "teeworlds";

    private final PrintStream out;
    private final int bots;
    private final long zoneMiB;

    ClusterDemo(PrintStream out, int bots, long zoneMiB) {
        this.out = out;
        this.bots = bots;
        this.zoneMiB = zoneMiB;
    }

    void run() throws Exception {
        Path root = Files.createTempDirectory("lzdemo");
        String name = "demo" + (ProcessHandle.current().pid() % 1000);
        Thread cleanup = new Thread(() -> LocalCluster.down(root, name));
        Runtime.getRuntime().addShutdownHook(cleanup);
        Map<String, BotSwarm> swarms = new LinkedHashMap<>();
        RttReporter reporter = null;
        TeeworldsBrowser browser = null;
        try {
            // Before the cluster: a first build (about a minute) then has the machine to itself.
            out.println(
                    "0. A real game server from Debian's packages, teeworlds-server, as a zone"
                            + " image (built once, then cached in build/images)");
            ImageStore store = ImageStore.installed();
            ImageBuilder.Built teeworlds =
                    ImageBuilder.installed(store)
                            .build(
                                    ImagesBench.teeworldsRecipe("demo-teeworlds"),
                                    line -> out.println("   image demo-teeworlds: " + line));
            ClusterConfig config = ClusterConfig.parse(ClusterCommand.DEFAULT_CONFIG);
            out.println(
                    "1. Starting a local cluster: coordinator + 3 host agents, each host in its own"
                            + " network namespace");
            out.println(
                    "   sites: eu (h1, h2), us (h3); eu<->us link 25 ms one way, 100 Mbit/s,"
                            + " emulated in userspace");
            LocalCluster cluster = LocalCluster.up(root, name, config, Duration.ofSeconds(120));
            JsonHttpClient api = cluster.api();
            JsonHttpClient gateway = cluster.gatewayApi();
            out.println(
                    "   coordinator API: "
                            + cluster.state().coordinatorUrl()
                            + " (token in "
                            + cluster.dir().resolve("token")
                            + ")");
            // The token rides in the URL fragment, which browsers never send to the server; the
            // page moves it to session storage. The demo's cluster, and so its token, lives only
            // as long as the demo.
            out.println(
                    "   dashboard: "
                            + ClusterCommand.dashboardUrl(cluster)
                            + "#token="
                            + cluster.token());
            out.println(
                    "2. Booting two zone VMs ("
                            + zoneMiB
                            + " MiB, zone server inside) and attaching "
                            + bots
                            + " bots to each");
            for (var z : List.of(Map.entry("arena", "h1"), Map.entry("market", "h3"))) {
                JsonNode created =
                        api.post(
                                "/v1/zones",
                                new ZoneService.CreateZone(z.getKey(), z.getValue(), zoneMiB, 1),
                                JsonNode.class,
                                Duration.ofMinutes(5));
                String address = created.path("definition").path("address").asText().split("/")[0];
                JsonNode served = cluster.awaitGatewayServes(z.getKey(), Duration.ofSeconds(30));
                InetSocketAddress endpoint =
                        new InetSocketAddress(
                                served.path("endpoint").asText(), served.path("port").asInt());
                out.printf(
                        "   zone %-7s runs on %s at %s; players connect to the gateway at %s:%d%n",
                        z.getKey(),
                        z.getValue(),
                        address,
                        endpoint.getHostString(),
                        endpoint.getPort());
                swarms.put(z.getKey(), attach(endpoint, z.getKey()));
            }
            out.println("   and the Teeworlds zone, with a server browser querying it");
            browser = bootTeeworlds(cluster, api, store, teeworlds);
            reporter = new RttReporter(gateway, swarms, Duration.ofSeconds(2));
            for (BotSwarm s : swarms.values()) {
                if (!s.awaitAllReceiving(Duration.ofSeconds(60))) {
                    throw new LiveZoneException("bots did not all start receiving updates");
                }
            }
            Thread.sleep(2000);
            swarms.values().forEach(BotSwarm::cutWindow);
            out.println(
                    "3. Plan 1 (auto): swap the zones across sites — arena h1->h3, market h3->h1,"
                            + " teeworlds h1->h3");
            plan(api, "auto", Map.of("arena", "h3", "market", "h1", TEEWORLDS, "h3"));
            report(swarms, browser);
            out.println(
                    "4. Plan 2 (sequential): arena h3->h2 (back to eu), market h1->h3 (back to"
                            + " us), teeworlds h3->h2");
            plan(api, "sequential", Map.of("arena", "h2", "market", "h3", TEEWORLDS, "h2"));
            report(swarms, browser);
            out.println("5. Where the zones are now:");
            for (JsonNode z : api.get("/v1/zones", JsonNode.class)) {
                out.printf(
                        "   %-9s on %s (%s)%n",
                        z.path("definition").path("name").asText(),
                        z.path("host").asText(),
                        z.path("state").asText());
            }
        } finally {
            if (browser != null) {
                browser.close();
            }
            if (reporter != null) {
                reporter.close();
            }
            swarms.values().forEach(BotSwarm::close);
            LocalCluster.down(root, name);
            root.toFile().delete();
            Runtime.getRuntime().removeShutdownHook(cleanup);
            out.println(
                    "Everything the demo created (agents, coordinator, VMs, namespaces, bridges,"
                            + " files) has been removed.");
        }
    }

    /**
     * Registers the Teeworlds image, boots zone {@value #TEEWORLDS} on h1 and starts a server
     * browser querying it through the gateway ten times a second.
     */
    private TeeworldsBrowser bootTeeworlds(
            LocalCluster cluster, JsonHttpClient api, ImageStore store, ImageBuilder.Built built)
            throws Exception {
        api.post(
                "/v1/zone-images",
                new ZoneImageService.RegisterImage(
                        built.image(),
                        store.rootDisk(built.image().name()).toAbsolutePath().toString(),
                        "eu"),
                JsonNode.class,
                Duration.ofMinutes(5));
        api.post(
                "/v1/zones",
                new ZoneService.CreateZone(
                        TEEWORLDS, "h1", null, null, null, null, null, built.image().name()),
                JsonNode.class,
                Duration.ofMinutes(5));
        JsonNode served =
                cluster.awaitGatewayServes(
                        built.image().recipe().ports().get(0).endpointOf(TEEWORLDS),
                        Duration.ofSeconds(30));
        InetSocketAddress endpoint =
                new InetSocketAddress(
                        served.path("endpoint").asText(), served.path("port").asInt());
        out.printf(
                "   zone %-9s runs on h1 (image %s, %.0f MiB); a server browser queries it at the"
                        + " gateway, %s:%d (udp)%n",
                TEEWORLDS,
                built.image().name(),
                built.image().rootDiskBytes() / 1048576.0,
                endpoint.getHostString(),
                endpoint.getPort());
        TeeworldsBrowser browser = TeeworldsBrowser.start(endpoint, Duration.ofMillis(100));
        if (!browser.awaitAnswers(5, Duration.ofSeconds(60))) {
            browser.close();
            throw new LiveZoneException("the Teeworlds server does not answer: " + browser.stats());
        }
        return browser;
    }

    /**
     * Bots join over TCP; a zone guest under TCG on a busy machine can take longer than a join's
     * timeout to answer the first time, so try a few times before giving up.
     */
    private BotSwarm attach(InetSocketAddress zone, String name) throws InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return BotSwarm.start(
                        zone, bots, BotConfig.defaults().withNamePrefix(name.substring(0, 1)));
            } catch (IOException e) {
                last = e;
                Thread.sleep(2000);
            }
        }
        throw new LiveZoneException("bots could not join zone " + name + ": " + last.getMessage());
    }

    private void plan(JsonHttpClient api, String algorithm, Map<String, String> moves) {
        List<PlanRequest.Move> list =
                moves.entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(e -> new PlanRequest.Move(e.getKey(), e.getValue()))
                        .toList();
        long id =
                api.post("/v1/plans", new PlanRequest(algorithm, list, SETTINGS, 0), JsonNode.class)
                        .path("plan")
                        .path("id")
                        .asLong();
        String end = PlanCommand.watch(api, id);
        if (!end.equals("DONE")) {
            throw new LiveZoneException("plan " + id + " ended " + end);
        }
    }

    private void report(Map<String, BotSwarm> swarms, TeeworldsBrowser browser)
            throws InterruptedException {
        Thread.sleep(1500);
        out.printf(
                "   %-7s %5s %12s %12s %6s %12s %11s%n",
                "zone", "bots", "rtt p50 ms", "max gap ms", "lost", "disconnects", "continuity");
        for (var e : swarms.entrySet()) {
            AggregateStats s = e.getValue().cutWindow().aggregate();
            out.printf(
                    "   %-7s %5d %12.1f %12.0f %6d %12d %11s%n",
                    e.getKey(),
                    s.bots(),
                    s.rtt().p50Ms(),
                    s.updateGap().maxMs(),
                    s.lost(),
                    s.disconnected(),
                    s.tickContinuityOk() ? "ok" : "BROKEN");
        }
        TeeworldsBrowser.Stats t = browser.stats();
        out.printf(
                "   %-9s server browser (Teeworlds' own query protocol): %d answers, longest"
                        + " silence %.0f ms, %d unanswered, %d reconnects, %d resent%n",
                TEEWORLDS, t.answered(), t.maxSilenceMs(), t.failed(), t.reconnects(), t.retries());
    }
}
