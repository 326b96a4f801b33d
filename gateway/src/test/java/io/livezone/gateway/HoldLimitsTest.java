package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

class HoldLimitsTest {

    @Test
    void anExpiredHoldAsksForAnAbortAndLosesNothingWhenReleasedBackToTheSource() throws Exception {
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder().maxHold(Duration.ofMillis(100)).build();
        try (Gateway gateway = Gateway.start(config);
                UdpEchoZone source = UdpEchoZone.start()) {
            ZoneLocation sourceLocation = source.location("site-a");
            ZoneEndpoint endpoint = gateway.addZone("z1", sourceLocation);
            try (UdpPlayers players = UdpPlayers.connect(10, endpoint.udp())) {
                players.sendRound();
                await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 10);

                HoldHandle hold = gateway.hold("z1");
                for (int round = 0; round < 20; round++) {
                    players.sendRound();
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> hold.heldPackets() == 200);
                assertThat(hold.abortRequested().toCompletableFuture().get(10, TimeUnit.SECONDS))
                        .isEqualTo(HoldProblem.EXPIRED);
                assertThat(hold.expired()).isTrue();
                assertThat(hold.overflowed()).isFalse();
                assertThat(hold.abortRequired()).isTrue();
                // Expired is a report, not an action: traffic is still held, none forwarded.
                players.sendRound();
                await().atMost(Duration.ofSeconds(10)).until(() -> hold.heldPackets() == 210);
                assertThat(source.received()).isEqualTo(10);

                // The driver aborts the migration; the source runs again.
                gateway.release("z1", sourceLocation);

                await().atMost(Duration.ofSeconds(10))
                        .until(() -> players.received() == players.sent());
                players.assertAllEchoedInOrder();
                assertThat(hold.isReleased()).isTrue();
                assertThat(hold.problem()).contains(HoldProblem.EXPIRED);
                assertThat(hold.droppedPackets()).isZero();
                ZoneTraffic traffic = gateway.traffic("z1");
                assertThat(traffic.heldUdp()).isEqualTo(210);
                assertThat(traffic.droppedHoldOverflow()).isZero();
                assertThat(traffic.udpToZone()).isEqualTo(players.sent());
                assertThat(gateway.meterRegistry().scrape())
                        .contains(
                                "livezone_gateway_holds_total{outcome=\"expired\",zone=\"z1\"} 1");
            }
        }
    }

    @Test
    void aFullHoldReportsOverflowAndCountsEveryDatagramItCouldNotKeep() throws Exception {
        GatewayConfig config = GatewayConfig.loopback().toBuilder().maxHeldPackets(50).build();
        try (Gateway gateway = Gateway.start(config);
                UdpEchoZone source = UdpEchoZone.start()) {
            ZoneLocation sourceLocation = source.location("site-a");
            ZoneEndpoint endpoint = gateway.addZone("z1", sourceLocation);
            try (UdpPlayers players = UdpPlayers.connect(1, endpoint.udp())) {
                HoldHandle hold = gateway.hold("z1");
                for (int i = 0; i < 80; i++) {
                    players.send(0);
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> hold.heldPackets() + hold.droppedPackets() == 80);
                assertThat(hold.overflowed()).isTrue();
                assertThat(hold.problem()).contains(HoldProblem.OVERFLOWED);
                assertThat(hold.heldPackets()).isEqualTo(50);
                assertThat(hold.droppedPackets()).isEqualTo(30);
                assertThat(gateway.traffic("z1").droppedHoldOverflow()).isEqualTo(30);

                gateway.release("z1", sourceLocation);
                await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 50);
                // The first 50 were kept, in order.
                assertThat(players.echoed(0)).hasSize(50).isSorted().startsWith(0, 1, 2);
                assertThat(players.echoed(0).get(49)).isEqualTo(49);
                assertThat(gateway.traffic("z1").heldPacketsMax()).isEqualTo(50);
            }
        }
    }

    @Test
    void aZoneIsHeldOnceAtATime() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone zone = UdpEchoZone.start()) {
            gateway.addZone("z1", zone.location("site-a"));
            gateway.hold("z1");
            assertThatThrownBy(() -> gateway.hold("z1"))
                    .isInstanceOf(GatewayException.class)
                    .hasMessageContaining("already held");
            assertThatThrownBy(() -> gateway.hold("nope"))
                    .hasMessageContaining("unknown zone 'nope'");
            gateway.release("z1", zone.location("site-a"));
            gateway.hold("z1");
        }
    }
}
