package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.livezone.dve.bot.EchoSession;
import io.livezone.dve.server.ZoneServer;
import io.livezone.dve.server.ZoneServerOptions;
import io.livezone.gateway.latency.ClientRegions;
import io.livezone.gateway.latency.RegionLatency;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Order per client across many holds while the emulated region delay is in force: packets still on
 * the delay line when a hold begins, or when it ends, must not overtake or fall behind the ones
 * held. Checked with the zone server's checksummed TCP echo streams and with sequence-numbered
 * datagrams, while the zone "moves" back and forth between two sites (hold, then release with a
 * changed delay).
 */
class OrderAcrossHoldsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Test
    void echoStreamsStayIntactThroughManyHoldsAndSiteChanges() throws Exception {
        GatewayConfig config =
                withRegionDelays(GatewayConfig.loopback().toBuilder())
                        .rewriteWelcomeUdpPort(true)
                        .build();
        try (ZoneServer server = ZoneServer.start(ZoneServerOptions.loopback("z1"));
                Gateway gateway = Gateway.start(config)) {
            InetSocketAddress udp =
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.udpPort());
            ZoneEndpoint endpoint =
                    gateway.addZone("z1", new ZoneLocation(udp, server.tcpEndpoint(), "a"));
            List<EchoSession> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    sessions.add(
                            EchoSession.open(
                                    endpoint.tcp(),
                                    i,
                                    1024,
                                    Duration.ofMillis(2),
                                    Duration.ofSeconds(10)));
                }
                String[] sites = {"b", "b", "a", "a"};
                for (int round = 0; round < 40; round++) {
                    Thread.sleep(round % 3 * 7);
                    HoldHandle hold = gateway.hold("z1");
                    Thread.sleep(round % 5 * 4);
                    gateway.release(
                            "z1", new ZoneLocation(udp, server.tcpEndpoint(), sites[round % 4]));
                    assertThat(hold.droppedPackets()).isZero();
                }
                await().atMost(PATIENCE)
                        .until(() -> sessions.get(0).stats().bytesEchoed() > 200_000);
                for (EchoSession s : sessions) {
                    EchoSession.Stats done = s.finish(PATIENCE);
                    assertThat(done.complete()).as(done.toString()).isTrue();
                }
            } finally {
                sessions.forEach(EchoSession::close);
            }
        }
    }

    @Test
    void datagramsStayInOrderThroughManyHoldsAndSiteChanges() throws Exception {
        GatewayConfig config = withRegionDelays(GatewayConfig.loopback().toBuilder()).build();
        AtomicBoolean sending = new AtomicBoolean(true);
        try (Gateway gateway = Gateway.start(config);
                UdpEchoZone zone = UdpEchoZone.start()) {
            ZoneEndpoint endpoint = gateway.addZone("z1", zone.location("a"));
            try (UdpPlayers players = UdpPlayers.connect(8, endpoint.udp())) {
                Thread sender =
                        Thread.ofPlatform()
                                .start(
                                        () -> {
                                            while (sending.get()) {
                                                try {
                                                    players.sendRound();
                                                    Thread.sleep(1);
                                                } catch (Exception e) {
                                                    throw new IllegalStateException(e);
                                                }
                                            }
                                        });
                String[] sites = {"b", "b", "a", "a"};
                for (int round = 0; round < 40; round++) {
                    Thread.sleep(round % 3 * 7);
                    HoldHandle hold = gateway.hold("z1");
                    Thread.sleep(round % 5 * 4);
                    gateway.release("z1", zone.location(sites[round % 4]));
                    assertThat(hold.droppedPackets()).isZero();
                }
                sending.set(false);
                sender.join();
                await().atMost(PATIENCE).until(() -> players.received() == players.sent());
                players.assertAllEchoedInOrder();
            } finally {
                sending.set(false);
            }
        }
    }

    private static GatewayConfig.Builder withRegionDelays(GatewayConfig.Builder b) {
        return b.maxHold(Duration.ofMinutes(1))
                .maxHeldPackets(1_000_000)
                .maxHeldBytes(1L << 30)
                .regionOf(ClientRegions.byPort(List.of("eu", "us")))
                .regionLatency(
                        RegionLatency.builder()
                                .oneWay("eu", "a", Duration.ofMillis(5))
                                .oneWay("eu", "b", Duration.ofMillis(35))
                                .oneWay("us", "a", Duration.ofMillis(35))
                                .oneWay("us", "b", Duration.ofMillis(5))
                                .build());
    }
}
