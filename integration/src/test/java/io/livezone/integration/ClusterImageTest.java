package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.bots.clients.RedisCli;
import io.livezone.bots.clients.TeeworldsBrowser;
import io.livezone.bots.clients.TeeworldsQuery;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A zone image in a real local cluster of two sites: Debian's Redis server built with {@code image
 * build}, booted with {@code zone create --image} (which registers the image with the cluster),
 * reached by Debian's {@code redis-cli} through the players' gateway at the endpoint of its
 * declared port, and moved live to the other site and back while that client keeps its one
 * connection; and a real game server, Debian's Teeworlds server, moved the same way while a server
 * browser keeps querying it. An image in use is not deleted; bad requests change nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterImageTest {
    private static final String CONFIG =
            """
            sites:
              - name: a
                hosts: [{name: h1, memory: 1GiB}]
              - name: b
                hosts: [{name: h2, memory: 1GiB}]
            links:
              - {between: [a, b], latency: 10ms, jitter: 1ms, bandwidth: 400mbit}
            """;
    private static final String REDIS =
            "redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save '' --appendonly no";

    private static ClusterFixture fixture;
    private static Path images;
    private final CapturedCli cli = new CapturedCli();

    @BeforeAll
    static void up() throws Exception {
        images = Files.createTempDirectory(Path.of("/tmp"), "lzcimg");
        System.setProperty("livezone.images", images.toString());
        fixture = new ClusterFixture("lzci", "i");
        fixture.up(CONFIG, Duration.ofSeconds(90));
    }

    @AfterAll
    static void down() throws Exception {
        System.clearProperty("livezone.images");
        try {
            fixture.close();
        } finally {
            try (var walk = Files.walk(images)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private int run(String... args) {
        return cli.run(args);
    }

    /** A cluster command: the arguments, then this cluster's name and root. */
    private int cluster(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--cluster";
        all[args.length + 1] = fixture.name();
        all[args.length + 2] = "--cluster-root";
        all[args.length + 3] = fixture.root().toString();
        return run(all);
    }

    private String stdout() {
        return cli.stdout();
    }

    private String stderr() {
        return cli.stderr();
    }

    @Test
    @Order(1)
    void aZoneOfABuiltImageRunsAndPlayersReachItsPortThroughTheGateway() throws Exception {
        assertThat(
                        run(
                                "image",
                                "build",
                                "kv",
                                "--packages",
                                "redis-server",
                                "--exec",
                                REDIS,
                                "--port",
                                "tcp/6379",
                                "--probe",
                                "tcp/6379",
                                "--memory-mib",
                                "160"))
                .as(stderr())
                .isZero();

        assertThat(cluster("zone", "create", "kv1", "--host", "h1", "--image", "kv"))
                .as(stderr())
                .isZero();
        assertThat(stdout()).contains("zone kv1 runs on h1").contains("image kv (tcp/6379)");
        JsonNode image = fixture.api().get("/v1/zone-images/kv", JsonNode.class);
        assertThat(image.path("sites").toString()).isEqualTo("[\"a\"]");
        assertThat(image.path("zones").toString()).isEqualTo("[\"kv1\"]");
        JsonNode zone = fixture.api().get("/v1/zones/kv1", JsonNode.class);
        assertThat(zone.path("definition").path("memoryMiB").asLong()).isEqualTo(160);
        assertThat(zone.path("definition").path("disk").path("image").asText()).isEqualTo("kv");

        assertThat(cluster("zone", "list")).as(stderr()).isZero();
        assertThat(stdout()).contains("kv1").contains("image kv (tcp/6379)");
        InetSocketAddress at = endpoint();
        long connectionsBefore = RedisCli.totalConnections(at);
        assertThat(connectionsBefore).isPositive();
        assertThat(cluster("cluster", "status")).as(stderr()).isZero();
        assertThat(stdout()).contains("tcp/6379").contains(":" + at.getPort());
    }

    /** Across the WAN and back: the image's root disk reaches site b once, the overlay moves. */
    @Test
    @Order(2)
    void theZoneMovesLiveAcrossSitesWhileItsClientKeepsItsConnection() throws Exception {
        InetSocketAddress at = endpoint();
        long connectionsBefore = RedisCli.totalConnections(at);
        try (RedisCli counter = RedisCli.repeat(at, 0.05, "INCR", "lz:ticks")) {
            counter.awaitLines(10, Duration.ofSeconds(30));
            for (String host : List.of("h2", "h1")) {
                long plan = fixture.submitPlan("sequential", Map.of("kv1", host), null);
                JsonNode done = fixture.awaitPlanEnd(plan, Duration.ofMinutes(5));
                assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("DONE");
                long seen = counter.lines().size();
                counter.awaitLines(seen + 10, Duration.ofSeconds(30));
            }
            assertThat(counter.isAlive()).as("redis-cli still running").isTrue();
            assertThat(counter.errors()).as("redis-cli stderr").isEmpty();
            List<String> counts = counter.lines();
            for (int i = 1; i < counts.size(); i++) {
                assertThat(Long.parseLong(counts.get(i)))
                        .as("INCR reply %d of %s", i, counts)
                        .isEqualTo(Long.parseLong(counts.get(0)) + i);
            }
        }
        // The INCR client and this query: nobody connected twice.
        assertThat(RedisCli.totalConnections(at)).isEqualTo(connectionsBefore + 2);
        // The gateway held the port at each switchover and saw the client's silence end.
        JsonNode switchovers =
                fixture.cluster()
                        .gatewayApi()
                        .get("/v1/zones/kv1.tcp6379", JsonNode.class)
                        .path("switchovers");
        assertThat(switchovers).hasSize(2);
        assertThat(switchovers.get(0).path("site").asText()).isEqualTo("b");
        assertThat(switchovers.get(1).path("site").asText()).isEqualTo("a");
        for (JsonNode s : switchovers) {
            assertThat(s.path("measuredToZone").asInt()).as(s.toString()).isEqualTo(1);
            assertThat(s.path("measuredToClient").asInt()).as(s.toString()).isEqualTo(1);
            assertThat(s.path("maxSilenceToClientMs").asDouble()).as(s.toString()).isPositive();
        }
        JsonNode image = fixture.api().get("/v1/zone-images/kv", JsonNode.class);
        assertThat(image.path("sites").toString()).isEqualTo("[\"a\",\"b\"]");
        JsonNode storage = fixture.api().get("/v1/storage", JsonNode.class);
        long baseSends = 0;
        for (JsonNode t : storage.path("transfers")) {
            if (t.path("kind").asText().equals("base")) {
                baseSends++;
            }
        }
        assertThat(baseSends).as(storage.toString()).isEqualTo(1);
    }

    /**
     * A real game server: Debian's Teeworlds server, queried through the gateway ten times a second
     * by a server browser that speaks its protocol while it moves to the other site and back. The
     * server's token lives in its memory: a browser that never has to shake hands again talked to
     * the same process all along.
     */
    @Test
    @Order(3)
    void aGameServerMovesAcrossSitesWhileABrowserKeepsQueryingIt() throws Exception {
        String probe = "udp/8303:" + HexFormat.of().formatHex(TeeworldsQuery.probeRequest());
        assertThat(
                        run(
                                "image",
                                "build",
                                "tw",
                                "--packages",
                                "teeworlds-server",
                                "--exec",
                                "env HOME=/root /usr/games/teeworlds-server \"bindaddr 0.0.0.0\""
                                        + " \"sv_port 8303\" \"sv_register 0\""
                                        + " \"sv_name LiveZone\"",
                                "--port",
                                "udp/8303",
                                "--probe",
                                probe,
                                "--memory-mib",
                                "160"))
                .as(stderr())
                .isZero();
        assertThat(cluster("zone", "create", "tw1", "--host", "h1", "--image", "tw"))
                .as(stderr())
                .isZero();
        JsonNode served =
                fixture.cluster().awaitGatewayServes("tw1.udp8303", Duration.ofSeconds(30));
        InetSocketAddress at =
                new InetSocketAddress(
                        served.path("endpoint").asText(), served.path("port").asInt());
        try (TeeworldsBrowser browser = TeeworldsBrowser.start(at, Duration.ofMillis(100))) {
            assertThat(browser.awaitAnswers(10, Duration.ofSeconds(30)))
                    .as(browser.stats().toString())
                    .isTrue();
            for (String host : List.of("h2", "h1")) {
                long plan = fixture.submitPlan("sequential", Map.of("tw1", host), null);
                JsonNode done = fixture.awaitPlanEnd(plan, Duration.ofMinutes(5));
                assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("DONE");
                assertThat(browser.awaitAnswers(10, Duration.ofSeconds(30)))
                        .as(browser.stats().toString())
                        .isTrue();
            }
            TeeworldsBrowser.Stats stats = browser.stats();
            assertThat(stats.failed()).as(stats.toString()).isZero();
            assertThat(stats.reconnects()).as(stats.toString()).isZero();
            assertThat(stats.lastInfo().name()).isEqualTo("LiveZone");
            assertThat(stats.lastInfo().version()).isEqualTo("0.7.5");
        }
        JsonNode switchovers =
                fixture.cluster()
                        .gatewayApi()
                        .get("/v1/zones/tw1.udp8303", JsonNode.class)
                        .path("switchovers");
        assertThat(switchovers).hasSize(2);
        for (JsonNode s : switchovers) {
            assertThat(s.path("measuredToClient").asInt()).as(s.toString()).isEqualTo(1);
            assertThat(s.path("droppedPackets").asInt()).as(s.toString()).isZero();
        }
        assertThat(cluster("zone", "delete", "tw1")).as(stderr()).isZero();
        assertThat(cluster("image", "delete", "tw")).as(stderr()).isZero();
    }

    @Test
    @Order(4)
    void anImageInUseIsKeptAndBadRequestsChangeNothing() {
        assertThat(cluster("image", "delete", "kv")).isNotZero();
        assertThat(stderr()).contains("in use by zones [kv1]");
        assertThat(run("image", "show", "kv")).isZero();

        assertThat(cluster("zone", "create", "kv2", "--host", "h1", "--image", "nope")).isNotZero();
        assertThat(stderr()).contains("unknown image 'nope'");
        assertThat(
                        cluster(
                                "zone",
                                "create",
                                "kv2",
                                "--host",
                                "h1",
                                "--image",
                                "kv",
                                "--redis-port",
                                "6380"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--redis-port");
        assertThat(fixture.api().get("/v1/zones", JsonNode.class)).hasSize(1);
    }

    @Test
    @Order(5)
    void aZoneGoneItsImageIsDeletedFromTheClusterAndThisMachine() {
        assertThat(cluster("zone", "delete", "kv1")).as(stderr()).isZero();
        assertThat(cluster("image", "delete", "kv")).as(stderr()).isZero();
        assertThat(stdout()).contains("image kv deleted (and from cluster");
        assertThat(fixture.api().get("/v1/zone-images", JsonNode.class)).isEmpty();
        assertThat(run("image", "show", "kv")).isEqualTo(2);
    }

    private static InetSocketAddress endpoint() throws InterruptedException {
        JsonNode served =
                fixture.cluster().awaitGatewayServes("kv1.tcp6379", Duration.ofSeconds(30));
        return new InetSocketAddress(served.path("endpoint").asText(), served.path("port").asInt());
    }
}
