package io.livezone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.livezone.bots.clients.Pgbench;
import io.livezone.bots.clients.RedisCli;
import io.livezone.bots.clients.TeeworldsBrowser;
import io.livezone.bots.clients.TeeworldsQuery;
import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.image.ZoneImageService;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.image.ImageRecipe;
import io.livezone.core.image.Probe;
import io.livezone.core.image.ServicePort;
import io.livezone.core.image.ZoneImage;
import io.livezone.image.ImageBuilder;
import io.livezone.image.ImageStore;
import io.livezone.lab.HostState;
import io.livezone.lab.cluster.LocalCluster;
import io.livezone.qemu.LiveZoneHome;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code livezone bench images}: real servers from Debian's packages, built with {@code image
 * build}, booted on a local cluster of two sites, and moved live across the sites while a client
 * that speaks their protocol keeps using them through the players' gateway.
 *
 * <ul>
 *   <li>{@code teeworlds}: Debian's {@code teeworlds-server} (0.7), queried ten times a second by a
 *       server browser ({@link TeeworldsBrowser}): errors are queries unanswered even after a new
 *       handshake, reconnects are handshakes after the first (the server forgot its token: it is
 *       not the same process any more), silence is the longest time between two answers.
 *   <li>{@code redis}: Debian's {@code redis-server}, incremented twenty times a second by Debian's
 *       {@code redis-cli} on one connection: every acknowledged INCR must be in the counter after
 *       the moves, and the server must count no second connection.
 *   <li>{@code postgres}: Debian's PostgreSQL 15, its data on the zone's disk, driven by {@code
 *       pgbench} (two clients, TPC-B-like, 50 transactions a second) over the whole series of
 *       moves: no failed transaction, no aborted client, and every transaction pgbench counted has
 *       its row in {@code pgbench_history} afterwards.
 * </ul>
 *
 * Progress goes to stderr with {@code --json}; the last line of stdout is one JSON object.
 */
@Command(
        name = "images",
        mixinStandardHelpOptions = true,
        description =
                "Game and database servers from Debian's packages, moved live across two sites"
                        + " while their own clients keep using them through the gateway.")
public final class ImagesBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What an operator would set for busy servers over a WAN (as the demo does): auto-converge, and
     * post-copy for a move that has not converged in time.
     */
    private static final MigrationSettings SETTINGS =
            new MigrationSettings(MigrationSettings.DEFAULT.downtimeLimitMs(), 0, true, true);

    /**
     * Debian's Teeworlds 0.7 server on UDP 8303, registering with no master server (its traffic
     * stays in the zone network), ready when it answers a browser's token request.
     */
    public static ImageRecipe teeworldsRecipe(String name) {
        return new ImageRecipe(
                name,
                List.of("teeworlds-server"),
                "env HOME=/root /usr/games/teeworlds-server \"bindaddr 0.0.0.0\" \"sv_port 8303\""
                        + " \"sv_register 0\" \"sv_name LiveZone\"",
                List.of(ServicePort.parse("udp/8303")),
                Probe.parse("udp/8303:" + HexFormat.of().formatHex(TeeworldsQuery.probeRequest())),
                160);
    }

    /**
     * Debian's PostgreSQL 15 with its data on the zone's disk: the first boot creates the cluster
     * (any host may connect, trusted: the zone network is the project's own), then the server runs
     * as user postgres with fsync on.
     */
    static final String POSTGRES_EXEC =
            "sh -c 'D=/var/lib/postgresql/lz B=/usr/lib/postgresql/15/bin; if [ ! -s $D/PG_VERSION"
                + " ]; then install -d -o postgres -m 700 $D && runuser -u postgres -- $B/initdb -D"
                + " $D -A trust -U postgres >/dev/null && echo \"host all all 0.0.0.0/0 trust\" >>"
                + " $D/pg_hba.conf; fi; exec runuser -u postgres -- $B/postgres -D $D -c"
                + " listen_addresses=* -c unix_socket_directories=/tmp -c shared_buffers=16MB -c"
                + " max_connections=20'";

    /** The workloads: each an image recipe and the client that exercises it. */
    enum Workload {
        TEEWORLDS(teeworldsRecipe("bench-teeworlds"), "teeworlds-browser"),
        REDIS(
                new ImageRecipe(
                        "bench-redis",
                        List.of("redis-server"),
                        "redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save ''"
                                + " --appendonly no",
                        List.of(ServicePort.parse("tcp/6379")),
                        Probe.parse("tcp/6379"),
                        160),
                "redis-cli"),
        POSTGRES(
                new ImageRecipe(
                        "bench-postgres",
                        List.of("postgresql-15"),
                        POSTGRES_EXEC,
                        List.of(ServicePort.parse("tcp/5432")),
                        Probe.parse("tcp/5432"),
                        256),
                "pgbench");

        final ImageRecipe recipe;
        final String client;

        Workload(ImageRecipe recipe, String client) {
            this.recipe = recipe;
            this.client = client;
        }
    }

    @Option(names = "--json", description = "Only JSON on stdout (progress goes to stderr).")
    boolean json;

    @Option(
            names = "--images",
            split = ",",
            defaultValue = "teeworlds,redis,postgres",
            description = "Workloads: teeworlds, redis, postgres (default: all).")
    List<String> images;

    @Option(
            names = "--migrations",
            defaultValue = "4",
            description = "Live moves per zone, alternating sites (default: 4).")
    int migrations;

    @Option(names = "--latency", defaultValue = "25ms", description = "One-way link latency.")
    String latency;

    @Option(names = "--bandwidth", defaultValue = "200mbit", description = "Link bandwidth.")
    String bandwidth;

    @Option(names = "--cluster-root", defaultValue = "/run/livezone/clusters")
    Path root;

    private PrintStream progress;

    @Override
    public Integer call() throws Exception {
        HostState.requireRoot();
        if (migrations < 1 || migrations > 20) {
            throw new InvalidInputException("--migrations must be 1..20");
        }
        List<Workload> workloads = images.stream().map(ImagesBench::workload).toList();
        progress = json ? System.err : System.out;
        ImageStore store = ImageStore.installed();
        ImageBuilder builder = ImageBuilder.installed(store);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode results = out.putArray("images");
        String name = "ib" + ThreadLocalRandom.current().nextInt(100, 1000);
        String yaml =
                """
                sites:
                  - name: a
                    hosts: [{name: h1, memory: 2GiB}]
                  - name: b
                    hosts: [{name: h2, memory: 2GiB}]
                links:
                  - {between: [a, b], latency: %s, jitter: 1ms, bandwidth: %s}
                """
                        .formatted(latency, bandwidth);
        progress.printf(
                "starting cluster %s: sites a (h1) and b (h2), link %s / %s%n",
                name, latency, bandwidth);
        LocalCluster cluster =
                LocalCluster.up(root, name, ClusterConfig.parse(yaml), Duration.ofSeconds(120));
        try {
            for (Workload w : workloads) {
                ImageBuilder.Built built =
                        builder.build(
                                w.recipe,
                                line -> progress.println("image " + w.recipe.name() + ": " + line));
                results.add(run(cluster, store, built, w));
            }
        } finally {
            progress.println("removing cluster " + name);
            LocalCluster.down(root, name);
        }
        System.out.println(JSON.writeValueAsString(out));
        return 0;
    }

    private static Workload workload(String name) {
        try {
            return Workload.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "unknown workload '" + name + "'; choose from teeworlds, redis, postgres");
        }
    }

    private ObjectNode run(
            LocalCluster cluster, ImageStore store, ImageBuilder.Built built, Workload w)
            throws Exception {
        ZoneImage image = built.image();
        JsonHttpClient api = cluster.api();
        api.post(
                "/v1/zone-images",
                new ZoneImageService.RegisterImage(
                        image, store.rootDisk(image.name()).toAbsolutePath().toString(), "a"),
                JsonNode.class,
                Duration.ofMinutes(5));
        String zone = w.name().toLowerCase(Locale.ROOT).substring(0, 2) + "1";
        progress.printf("zone %s: booting image %s on h1%n", zone, image.name());
        long t0 = System.nanoTime();
        api.post(
                "/v1/zones",
                new ZoneService.CreateZone(zone, "h1", null, null, null, null, null, image.name()),
                JsonNode.class,
                Duration.ofMinutes(5));
        double bootSeconds = (System.nanoTime() - t0) / 1e9;
        progress.printf("zone %s: ready in %.1f s%n", zone, bootSeconds);
        String endpointName = image.recipe().ports().get(0).endpointOf(zone);
        JsonNode served = cluster.awaitGatewayServes(endpointName, Duration.ofSeconds(30));
        InetSocketAddress endpoint =
                new InetSocketAddress(
                        served.path("endpoint").asText(), served.path("port").asInt());
        ObjectNode r = JSON.createObjectNode();
        r.put("name", image.name());
        r.set("packages", JSON.valueToTree(image.recipe().packages()));
        r.put("build_s", Math.round(image.buildMillis() / 100.0) / 10.0);
        r.put("build_cached", built.cached());
        r.put("image_mib", Math.round(image.rootDiskBytes() / 1048576.0 * 10) / 10.0);
        r.put("boot_to_ready_s", Math.round(bootSeconds * 10) / 10.0);
        r.put("migrations", migrations);
        r.put("cross_site", migrations);
        r.put("client", w.client);
        switch (w) {
            case TEEWORLDS -> teeworlds(api, zone, endpoint, r);
            case REDIS -> redis(api, zone, endpoint, r);
            case POSTGRES -> postgres(api, zone, endpoint, r);
        }
        JsonNode switchovers =
                cluster.gatewayApi()
                        .get("/v1/zones/" + endpointName, JsonNode.class)
                        .path("switchovers");
        double gatewaySilence = 0;
        double holdMax = 0;
        for (JsonNode s : switchovers) {
            gatewaySilence = Math.max(gatewaySilence, s.path("maxSilenceToClientMs").asDouble());
            holdMax = Math.max(holdMax, s.path("holdMillis").asDouble());
        }
        if (!r.has("max_silence_ms")) { // pgbench times no single transaction: the gateway's view
            r.put("max_silence_ms", Math.round(gatewaySilence * 10) / 10.0);
        }
        r.put("gateway_switchovers", switchovers.size());
        r.put("gateway_max_silence_to_client_ms", Math.round(gatewaySilence * 10) / 10.0);
        r.put("gateway_max_hold_ms", holdMax);
        api.delete("/v1/zones/" + zone, Duration.ofMinutes(1));
        api.delete("/v1/zone-images/" + image.name(), Duration.ofSeconds(30));
        progress.println("result " + r);
        return r;
    }

    private void teeworlds(JsonHttpClient api, String zone, InetSocketAddress at, ObjectNode r)
            throws Exception {
        try (TeeworldsBrowser browser = TeeworldsBrowser.start(at, Duration.ofMillis(100))) {
            requireAnswers(browser, 20);
            moves(api, zone, () -> requireAnswers(browser, 20));
            TeeworldsBrowser.Stats s = browser.stats();
            r.put("client_errors", s.failed());
            r.put("client_reconnects", s.reconnects());
            r.put("client_retries", s.retries());
            r.put("max_silence_ms", Math.round(s.maxSilenceMs() * 10) / 10.0);
            r.put("answers", s.answered());
            r.put("lost_acked_writes", 0); // a browser only reads
            r.put("server", s.lastInfo() == null ? null : s.lastInfo().name());
        }
    }

    private static void requireAnswers(TeeworldsBrowser browser, int n) throws Exception {
        if (!browser.awaitAnswers(n, Duration.ofSeconds(30))) {
            throw new LiveZoneException(
                    "the Teeworlds server stopped answering: " + browser.stats());
        }
    }

    private void redis(JsonHttpClient api, String zone, InetSocketAddress at, ObjectNode r)
            throws Exception {
        long connectionsBefore = RedisCli.totalConnections(at);
        try (RedisCli counter = RedisCli.repeat(at, 0.05, "INCR", "lz:ticks")) {
            counter.awaitLines(20, Duration.ofSeconds(30));
            moves(
                    api,
                    zone,
                    () -> counter.awaitLines(counter.lines().size() + 20, Duration.ofSeconds(30)));
            counter.close();
            List<String> replies = counter.lines();
            long last = Long.parseLong(replies.get(replies.size() - 1));
            long stored = Long.parseLong(RedisCli.once(at, "GET", "lz:ticks"));
            double maxGap = Math.round(counter.maxGapMillis() * 10) / 10.0;
            r.put("client_errors", counter.errors().size());
            // The counting client and the two queries; any other connection is a reconnect.
            r.put("client_reconnects", RedisCli.totalConnections(at) - connectionsBefore - 3);
            r.put("max_silence_ms", maxGap);
            r.put("acked_writes", replies.size());
            r.put("lost_acked_writes", Math.max(0, last - stored));
        }
    }

    /**
     * pgbench's TPC-B-like script with two clients over the whole series of moves: every committed
     * transaction appended one row to pgbench_history, so the table must hold them all afterwards.
     */
    private void postgres(JsonHttpClient api, String zone, InetSocketAddress at, ObjectNode r)
            throws Exception {
        Pgbench pg = new Pgbench(LiveZoneHome.path().resolve("build/tools/pgbench"), at);
        pg.initialize(1, Duration.ofMinutes(5));
        // A pgbench run has a fixed length, so its moves must be quick: the first move to site b
        // also ships the image's root disk there (hundreds of MiB), once. Done before the run.
        progress.printf(
                "zone %s: a move to site b and back first, to cache the image there%n", zone);
        move(api, zone, "h2");
        move(api, zone, "h1");
        r.put("warmup_moves", 2);
        Pgbench.Result result;
        try (Pgbench.Running run = pg.run(2, 50, Duration.ofSeconds(20 + 120L * migrations))) {
            Thread.sleep(5_000);
            moves(
                    api,
                    zone,
                    () -> {
                        if (!run.isAlive()) {
                            throw new LiveZoneException("pgbench ended before the moves did");
                        }
                        Thread.sleep(5_000);
                    });
            result = run.await();
        }
        long rows = Long.parseLong(pg.query("SELECT count(*) FROM pgbench_history"));
        progress.printf(
                "pgbench: %d transactions, %d failed, %d clients aborted, %.1f tps; %d rows%n",
                result.processed(), result.failed(), result.abortedClients(), result.tps(), rows);
        r.put("client_errors", result.failed() + result.abortedClients());
        r.put("client_reconnects", 0); // pgbench never reconnects: a broken connection aborts
        r.put("pgbench_exit", result.exitCode());
        r.put("acked_writes", result.processed());
        r.put("lost_acked_writes", Math.max(0, result.processed() - rows));
        r.put("tps", result.tps());
        r.put("latency_avg_ms", result.latencyAvgMs());
    }

    /** A step that waits for the client after a move. */
    @FunctionalInterface
    interface Check {
        void run() throws Exception;
    }

    private void moves(JsonHttpClient api, String zone, Check afterEach) throws Exception {
        for (int i = 0; i < migrations; i++) {
            move(api, zone, i % 2 == 0 ? "h2" : "h1");
            afterEach.run();
        }
    }

    private void move(JsonHttpClient api, String zone, String to) {
        JsonNode plan =
                PlanRuns.run(
                        api,
                        new PlanRequest(
                                "sequential", List.of(new PlanRequest.Move(zone, to)), SETTINGS, 0),
                        Duration.ofMinutes(10));
        JsonNode move = plan.path("moves").get(0);
        progress.printf(
                "zone %s -> %s: %s in %.1f s, downtime %d ms%n",
                zone,
                to,
                plan.path("state").asText(),
                (plan.path("finishedMillis").asLong() - plan.path("createdMillis").asLong()) / 1e3,
                move.path("downtimeMillis").asLong());
    }
}
