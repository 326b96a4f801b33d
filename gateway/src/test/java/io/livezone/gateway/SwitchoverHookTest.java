package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.gateway.GatewaySwitchover.ZoneSwitchover;

import org.junit.jupiter.api.Test;

import java.time.Duration;

class SwitchoverHookTest {

    @Test
    void theHookHoldsAtSwitchoverAndResumedReleasesToTheDestination() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone source = UdpEchoZone.start();
                UdpEchoZone destination = UdpEchoZone.start()) {
            ZoneEndpoint endpoint = gateway.addZone("z1", source.location("site-a"));
            ZoneSwitchover switchover = new GatewaySwitchover(gateway).hookFor("z1");
            assertThat(switchover.handle()).isEmpty();
            try (UdpPlayers players = UdpPlayers.connect(3, endpoint.udp())) {
                switchover.atSwitchover("z1");
                HoldHandle hold = switchover.handle().orElseThrow();
                players.sendRound();
                await().atMost(Duration.ofSeconds(10)).until(() -> hold.heldPackets() == 3);
                assertThat(switchover.abortRequired()).isFalse();

                switchover.resumed(destination.location("site-b"));

                await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 3);
                assertThat(destination.received()).isEqualTo(3);
                assertThat(source.received()).isZero();
                assertThat(hold.isReleased()).isTrue();
                switchover.aborted(); // after release: nothing to do
                assertThat(gateway.location("z1")).contains(destination.location("site-b"));
            }
        }
    }

    @Test
    void abortedReleasesBackToWhereTheZoneWasAtTheSwitchover() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone source = UdpEchoZone.start()) {
            ZoneEndpoint endpoint = gateway.addZone("z1", source.location("site-a"));
            ZoneSwitchover switchover = new GatewaySwitchover(gateway).hookFor("z1");
            try (UdpPlayers players = UdpPlayers.connect(2, endpoint.udp())) {
                switchover.atSwitchover("z1");
                players.sendRound();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> switchover.handle().orElseThrow().heldPackets() == 2);
                switchover.aborted();
                await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 2);
                assertThat(source.received()).isEqualTo(2);
            }
        }
    }

    @Test
    void aHookRefusesAnotherZoneAndAZoneTheGatewayDoesNotServe() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone zone = UdpEchoZone.start()) {
            gateway.addZone("z1", zone.location("site-a"));
            GatewaySwitchover switchovers = new GatewaySwitchover(gateway);
            assertThatThrownBy(() -> switchovers.hookFor("z1").atSwitchover("z2"))
                    .isInstanceOf(GatewayException.class);
            assertThatThrownBy(() -> switchovers.hookFor("z9").atSwitchover("z9"))
                    .hasMessageContaining("z9");
            // Never switched over: aborted() does nothing, resumed() just re-targets.
            ZoneSwitchover unused = switchovers.hookFor("z1");
            unused.aborted();
            unused.resumed(zone.location("site-b"));
            assertThat(gateway.location("z1")).contains(zone.location("site-b"));
        }
    }
}
