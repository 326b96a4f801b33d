package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.cluster.HttpSwitchoverGate;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.http.JsonHttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A zone image's service ports at the gateway: endpoints of a protocol the gateway does not speak,
 * held and released together at a switchover.
 */
class ZonePortsTest {
    private static final String TOKEN = "0123456789abcdef0123";

    private Gateway gateway;
    private UdpEchoZone game;
    private UdpEchoZone query;
    private UdpEchoZone neighbour;
    private JsonHttpServer server;
    private GatewayControl control;
    private HttpSwitchoverGate gate;
    private JsonHttpClient http;

    @BeforeEach
    void start() throws Exception {
        // As in the cluster: LiveZone's zone protocol is checked where it is spoken.
        gateway =
                Gateway.start(
                        GatewayConfig.loopback().toBuilder()
                                .datagramCheck(DatagramCheck.LIVEZONE_HEADER)
                                .switchoverReplay(Duration.ofMillis(50))
                                .build());
        game = UdpEchoZone.start();
        query = UdpEchoZone.start();
        neighbour = UdpEchoZone.start();
        control = new GatewayControl(gateway, r -> {});
        server =
                control.routes(
                                new JsonHttpServer(
                                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                                        TOKEN))
                        .start();
        URI base = URI.create("http://127.0.0.1:" + server.address().getPort());
        gate = new HttpSwitchoverGate(base, TOKEN);
        http = new JsonHttpClient(base, TOKEN);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        gateway.close();
        game.close();
        query.close();
        neighbour.close();
    }

    @Test
    void anOpaqueEndpointPassesAnyDatagramWhereTheZoneProtocolsEndpointRefusesIt()
            throws Exception {
        ZoneEndpoint opaque =
                gateway.addZone("kv1.udp30000", game.location("a"), 0, EndpointProtocol.OPAQUE);
        ZoneEndpoint dve = gateway.addZone("kv10", neighbour.location("a"));
        try (UdpPlayers toOpaque = UdpPlayers.connect(2, opaque.udp());
                UdpPlayers toDve = UdpPlayers.connect(2, dve.udp())) {
            toOpaque.sendRound();
            toDve.sendRound();
            await().atMost(Duration.ofSeconds(10)).until(() -> toOpaque.received() == 2);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> gateway.traffic("kv10").droppedMalformed() == 2);
            assertThat(neighbour.received()).isZero();
        }
    }

    @Test
    void aHoldOfAZoneHoldsEveryPortOfItAndNoOtherZone() throws Exception {
        ZoneEndpoint gamePort =
                gateway.addZone("kv1.udp30000", game.location("a"), 0, EndpointProtocol.OPAQUE);
        ZoneEndpoint queryPort =
                gateway.addZone("kv1.udp30001", query.location("a"), 0, EndpointProtocol.OPAQUE);
        gateway.addZone("kv10.udp30000", neighbour.location("a"), 0, EndpointProtocol.OPAQUE);
        try (UdpPlayers players = UdpPlayers.connect(3, gamePort.udp());
                UdpPlayers queries = UdpPlayers.connect(1, queryPort.udp())) {
            assertThat(gate.hold("kv1")).isTrue();
            assertThat(control.isHeld("kv1.udp30000")).isTrue();
            assertThat(control.isHeld("kv1.udp30001")).isTrue();
            assertThat(control.isHeld("kv10.udp30000")).isFalse();

            players.sendRound();
            queries.sendRound();
            await().atMost(Duration.ofSeconds(10))
                    .until(
                            () ->
                                    http.get("/v1/zones/kv1/hold", JsonNode.class)
                                                    .path("heldPackets")
                                                    .asLong()
                                            == 4);
            assertThat(game.received() + query.received()).isZero();

            gate.release("kv1", "b");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> players.received() == 3 && queries.received() == 1);
            assertThat(gateway.location("kv1.udp30000").orElseThrow().site()).isEqualTo("b");
            assertThat(gateway.location("kv1.udp30001").orElseThrow().site()).isEqualTo("b");
            assertThat(gateway.location("kv10.udp30000").orElseThrow().site()).isEqualTo("a");
            assertThat(control.isHeld("kv1.udp30000")).isFalse();
            assertThat(game.received()).isEqualTo(3);
        }
    }

    @Test
    void eachSwitchoverKeepsTheLongestSilenceEachWayOfTheFlowsThatSpokeBeforeIt() throws Exception {
        ZoneEndpoint gamePort =
                gateway.addZone("kv1.udp30000", game.location("a"), 0, EndpointProtocol.OPAQUE);
        try (UdpPlayers players = UdpPlayers.connect(3, gamePort.udp())) {
            players.sendRound();
            await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 3);
            try (UdpPlayers late = UdpPlayers.connect(1, gamePort.udp())) {
                gate.hold("kv1");
                late.sendRound(); // its session opens during the hold: nothing to measure
                Thread.sleep(200);
                players.sendRound();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> gateway.traffic("kv1.udp30000").heldUdp() == 4);
                gate.release("kv1", "b");
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> players.received() == 6 && late.received() == 1);
            }
        }
        List<SwitchoverContinuity> seen = gateway.continuity("kv1.udp30000");
        assertThat(seen).hasSize(1);
        SwitchoverContinuity s = seen.get(0);
        assertThat(s.site()).isEqualTo("b");
        assertThat(s.heldPackets()).isEqualTo(4);
        assertThat(s.flows()).as("open when the hold began").isEqualTo(3);
        assertThat(s.measuredToZone()).isEqualTo(3);
        assertThat(s.measuredToClient()).isEqualTo(3);
        // At least the 200 ms the players' datagrams waited in the hold, in both directions.
        assertThat(s.maxSilenceToZoneMs()).isGreaterThanOrEqualTo(200);
        assertThat(s.maxSilenceToClientMs()).isGreaterThanOrEqualTo(200);
        assertThat(s.holdMillis()).isGreaterThanOrEqualTo(200);
        JsonNode view = http.get("/v1/zones/kv1.udp30000", JsonNode.class);
        assertThat(view.path("switchovers").get(0).path("measuredToClient").asInt()).isEqualTo(3);
    }
}
