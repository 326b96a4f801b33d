package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

class ZeroLossSwitchoverTest {
    private static final int PLAYERS = 40;

    @Test
    void everyDatagramOfEveryPlayerArrivesInOrderAcrossAMoveToAnotherServer() throws Exception {
        // Limits far away: this test is about order and loss, not about a slow machine's pauses.
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder()
                        .maxHeldPackets(1_000_000)
                        .maxHeldBytes(1L << 30)
                        .maxHold(Duration.ofMinutes(1))
                        .build();
        UdpEchoZone source = UdpEchoZone.start();
        try (Gateway gateway = Gateway.start(config)) {
            ZoneEndpoint endpoint = gateway.addZone("z1", source.location("site-a"));
            UdpEchoZone destination = null;
            AtomicBoolean sending = new AtomicBoolean(true);
            try (UdpPlayers players = UdpPlayers.connect(PLAYERS, endpoint.udp())) {
                Thread sender =
                        Thread.ofPlatform()
                                .start(
                                        () -> {
                                            while (sending.get()) {
                                                try {
                                                    players.sendRound();
                                                    Thread.sleep(5);
                                                } catch (Exception e) {
                                                    throw new IllegalStateException(e);
                                                }
                                            }
                                        });
                await().atMost(Duration.ofSeconds(20)).until(() -> players.received() > 2000);

                // Switchover: the source stops (after answering what it already got), the
                // destination starts elsewhere, then the gateway releases to it.
                HoldHandle hold = gateway.hold("z1");
                long forwardedBeforeHold = gateway.traffic("z1").udpToZone();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> source.received() == forwardedBeforeHold);
                await().atMost(Duration.ofSeconds(20)).until(() -> hold.heldPackets() >= 400);
                source.close();
                destination = UdpEchoZone.start();
                assertThat(destination.address().getPort())
                        .isNotEqualTo(source.address().getPort());
                assertThat(gateway.traffic("z1").udpToZone()).isEqualTo(forwardedBeforeHold);
                gateway.release("z1", destination.location("site-b"));

                long receivedAtRelease = players.received();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> players.received() > receivedAtRelease + 2000);
                sending.set(false);
                sender.join();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> players.received() == players.sent());

                players.assertAllEchoedInOrder();
                assertThat(hold.isReleased()).isTrue();
                assertThat(hold.abortRequired()).isFalse();
                assertThat(hold.droppedPackets()).isZero();
                ZoneTraffic traffic = gateway.traffic("z1");
                assertThat(traffic.heldUdp()).isEqualTo(hold.totalHeldPackets()).isGreaterThan(0);
                assertThat(traffic.droppedHoldOverflow()).isZero();
                assertThat(traffic.droppedSendFailed()).isZero();
                assertThat(traffic.udpToZone()).isEqualTo(players.sent());
                assertThat(traffic.udpToClient()).isEqualTo(players.sent());
                assertThat(traffic.heldPacketsMax()).isEqualTo(hold.maxHeldPackets());
                // One upstream socket per player: the zone server tells players apart by source.
                assertThat(destination.sources()).hasSize(PLAYERS);
                assertThat(gateway.location("z1")).contains(destination.location("site-b"));
            } finally {
                sending.set(false);
                if (destination != null) {
                    destination.close();
                }
            }
        } finally {
            source.close();
        }
    }
}
