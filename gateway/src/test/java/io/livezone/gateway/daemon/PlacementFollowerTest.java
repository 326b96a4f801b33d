package io.livezone.gateway.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.http.JsonHttpServer;
import io.livezone.gateway.Gateway;
import io.livezone.gateway.GatewayConfig;
import io.livezone.gateway.GatewayControl;
import io.livezone.gateway.ZoneLocation;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/** The cluster gateway following a (fake) coordinator's registry. */
class PlacementFollowerTest {
    private static final String TOKEN = "0123456789abcdef0123";

    @TempDir Path dir;

    private final Map<String, String> hostSites = Map.of("h1", "eu", "h3", "us");
    private final List<Map<String, Object>> zones = new ArrayList<>();
    private JsonHttpServer coordinator;
    private JsonHttpClient api;

    @BeforeEach
    void fakeCoordinator() {
        coordinator =
                new JsonHttpServer(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TOKEN)
                        .route(
                                "GET",
                                "/v1/hosts",
                                r ->
                                        hostSites.entrySet().stream()
                                                .map(
                                                        e ->
                                                                Map.of(
                                                                        "name",
                                                                        e.getKey(),
                                                                        "site",
                                                                        e.getValue()))
                                                .toList())
                        .route("GET", "/v1/zones", r -> List.copyOf(zones))
                        .start();
        api =
                new JsonHttpClient(
                        URI.create("http://127.0.0.1:" + coordinator.address().getPort()), TOKEN);
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private void zone(String name, String host, String state, int n) {
        zones.removeIf(z -> ((Map<?, ?>) z.get("definition")).get("name").equals(name));
        zones.add(
                Map.of(
                        "definition",
                        Map.of(
                                "name",
                                name,
                                "address",
                                "127.0.0." + n + "/24",
                                "tcpPort",
                                7000,
                                "udpPort",
                                7001),
                        "host",
                        host,
                        "state",
                        state));
    }

    @Test
    void everyZoneGetsAStableEndpointThatFollowsSettledPlacements() throws Exception {
        Path ports = dir.resolve("ports.json");
        int first = freePortRun(3);
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback())) {
            GatewayControl control = new GatewayControl(gateway, r -> {});
            PlacementFollower follower = new PlacementFollower(gateway, control, api, ports, first);
            zone("za", "h1", "RUNNING", 10);
            zone("zb", "h3", "RUNNING", 11);
            follower.sync();
            assertThat(gateway.endpoint("za").orElseThrow().udp().getPort()).isEqualTo(first);
            assertThat(gateway.endpoint("zb").orElseThrow().udp().getPort()).isEqualTo(first + 1);
            assertThat(gateway.location("za").orElseThrow().site()).isEqualTo("eu");

            // In flight: the registry still names the source; the follower leaves it alone.
            zone("za", "h3", "MIGRATING", 10);
            follower.sync();
            assertThat(gateway.location("za").orElseThrow().site()).isEqualTo("eu");
            // Settled at the destination.
            zone("za", "h3", "RUNNING", 10);
            follower.sync();
            assertThat(gateway.location("za").orElseThrow().site()).isEqualTo("us");

            // Gone from the registry: the endpoint closes.
            zones.removeIf(z -> ((Map<?, ?>) z.get("definition")).get("name").equals("zb"));
            follower.sync();
            assertThat(gateway.endpoint("zb")).isEmpty();
        }
        // A restarted gateway gives za the same port as before.
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback())) {
            PlacementFollower follower =
                    new PlacementFollower(
                            gateway, new GatewayControl(gateway, r -> {}), api, ports, first);
            zone("zc", "h1", "RUNNING", 12);
            follower.sync();
            assertThat(gateway.endpoint("za").orElseThrow().udp().getPort()).isEqualTo(first);
            assertThat(gateway.endpoint("zc").orElseThrow().udp().getPort())
                    .as("a new zone never takes a port another zone had")
                    .isEqualTo(first + 2);
        }
    }

    @Test
    void aZoneOfAnImageGetsAnEndpointPerDeclaredPortAndNoneForTheZoneServer() throws Exception {
        Path ports = dir.resolve("ports.json");
        int first = freePortRun(2);
        zones.add(
                Map.of(
                        "definition",
                        Map.of(
                                "name",
                                "kv1",
                                "address",
                                "127.0.0.13/24",
                                "tcpPort",
                                7000,
                                "udpPort",
                                7001,
                                "image",
                                Map.of(
                                        "name",
                                        "kv",
                                        "digest",
                                        "a".repeat(64),
                                        "ports",
                                        List.of("tcp/6379", "udp/30000"))),
                        "host",
                        "h3",
                        "state",
                        "RUNNING"));
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback())) {
            new PlacementFollower(gateway, new GatewayControl(gateway, r -> {}), api, ports, first)
                    .sync();
            assertThat(gateway.zones()).containsExactlyInAnyOrder("kv1.tcp6379", "kv1.udp30000");
            ZoneLocation tcp = gateway.location("kv1.tcp6379").orElseThrow();
            assertThat(tcp.tcp().getPort()).isEqualTo(6379);
            assertThat(tcp.site()).isEqualTo("us");
            assertThat(gateway.location("kv1.udp30000").orElseThrow().udp().getPort())
                    .isEqualTo(30000);
        }
    }

    @Test
    void aHoldPastItsLimitIsReleasedWhereTheSettledRegistrySaysTheZoneRuns() throws Exception {
        Path ports = dir.resolve("ports.json");
        int first = freePortRun(1);
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder().maxHold(Duration.ofMillis(50)).build();
        try (Gateway gateway = Gateway.start(config)) {
            // The follower and the control API share one control, as in the daemon.
            GatewayControl control = new GatewayControl(gateway, r -> {});
            try (JsonHttpServer server =
                    control.routes(
                                    new JsonHttpServer(
                                            new InetSocketAddress(
                                                    InetAddress.getLoopbackAddress(), 0),
                                            TOKEN))
                            .start()) {
                PlacementFollower follower =
                        new PlacementFollower(gateway, control, api, ports, first);
                zone("za", "h1", "RUNNING", 10);
                follower.sync();
                JsonHttpClient gatewayApi =
                        new JsonHttpClient(
                                URI.create("http://127.0.0.1:" + server.address().getPort()),
                                TOKEN);
                gatewayApi.post("/v1/zones/za/hold", null, Map.class);

                // Its move still in flight: the hold stays, even past its limit.
                zone("za", "h3", "MIGRATING", 10);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!Boolean.TRUE.equals(
                                gatewayApi.get("/v1/zones/za/hold", Map.class).get("abortRequired"))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                follower.sync();
                assertThat(control.isHeld("za")).isTrue();

                // Settled (the move's driver died; the coordinator decided): released there.
                zone("za", "h3", "RUNNING", 10);
                follower.sync();
                assertThat(control.isHeld("za")).isFalse();
                assertThat(gateway.location("za").orElseThrow().site()).isEqualTo("us");
            }
        }
    }

    /**
     * The first of {@code count} consecutive ports free for TCP and UDP on loopback, below the
     * kernel's ephemeral range (32768 and up), so no outgoing connection of a parallel test takes
     * one between this check and the gateway's bind.
     */
    private static int freePortRun(int count) throws IOException {
        Random random = new Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = 20000 + random.nextInt(12000);
            if (IntStream.range(first, first + count).allMatch(PlacementFollowerTest::free)) {
                return first;
            }
        }
        throw new IOException("no run of " + count + " free ports in 20000-32767");
    }

    private static boolean free(int port) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket tcp = new ServerSocket(port, 1, loopback);
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
