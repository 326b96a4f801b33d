package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotStats;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.dve.bot.SwarmStats;
import io.livezone.dve.server.ZoneServer;
import io.livezone.dve.server.ZoneServerOptions;
import io.livezone.gateway.GatewaySwitchover.ZoneSwitchover;
import io.livezone.gateway.latency.QosPolicy;
import io.livezone.gateway.latency.RegionLatency;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The real zone server and real bots (the dve module) on 127.0.0.1, with the gateway between them:
 * the bots join through the gateway's TCP endpoint, learn the gateway's UDP port from the rewritten
 * WELCOME, play through a switchover hold, and measure the emulated distance to the zone's site.
 */
class DveThroughGatewayTest {
    private static final int BOTS = 8;

    @Test
    void botsPlayThroughASwitchoverAndFeelWhichSiteTheirZoneRunsAt() throws Exception {
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder()
                        .rewriteWelcomeUdpPort(true)
                        .maxHold(Duration.ofMinutes(1))
                        .datagramCheck(DatagramCheck.LIVEZONE_HEADER)
                        .regionLatency(
                                RegionLatency.builder()
                                        .oneWay("default", "far", Duration.ofMillis(60))
                                        .oneWay("default", "near", Duration.ofMillis(2))
                                        .build())
                        .qos(new QosPolicy(Duration.ofMillis(80), 1, Duration.ofMinutes(1)))
                        .build();
        try (ZoneServer server = ZoneServer.start(ZoneServerOptions.loopback("z1"));
                Gateway gateway = Gateway.start(config)) {
            InetSocketAddress udp =
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.udpPort());
            ZoneLocation far = new ZoneLocation(udp, server.tcpEndpoint(), "far");
            ZoneLocation near = new ZoneLocation(udp, server.tcpEndpoint(), "near");
            ZoneEndpoint endpoint = gateway.addZone("z1", far);
            assertThat(endpoint.udp().getPort()).isNotEqualTo(server.udpPort());

            try (BotSwarm swarm = BotSwarm.start(endpoint.tcp(), BOTS, BotConfig.defaults())) {
                assertThat(swarm.awaitAllReceiving(Duration.ofSeconds(20))).isTrue();
                swarm.cutWindow();
                Thread.sleep(1000);
                SwarmStats atFar = swarm.cutWindow();
                recordRtts(gateway, atFar);
                assertThat(gateway.qos("z1").ratio()).isZero();

                ZoneSwitchover switchover = new GatewaySwitchover(gateway).hookFor("z1");
                switchover.atSwitchover("z1");
                Thread.sleep(100);
                switchover.resumed(near);
                Thread.sleep(1000);
                SwarmStats acrossMove = swarm.cutWindow();
                Thread.sleep(1000);
                SwarmStats atNear = swarm.cutWindow();
                recordRtts(gateway, atNear);
                assertThat(gateway.qos("z1").ratio()).isEqualTo(1.0);

                for (SwarmStats window : new SwarmStats[] {atFar, acrossMove, atNear}) {
                    assertThat(window.aggregate().disconnected()).isZero();
                    assertThat(window.aggregate().malformedPackets()).isZero();
                    assertThat(window.tickContinuityOk()).isTrue();
                    assertThat(window.aggregate().pongsReceived()).isPositive();
                }
                for (BotStats bot : atFar.bots()) {
                    // 2 x 60 ms emulated; the bots' histogram has about 3 % resolution. Up to
                    // 200 ms more on a busy machine, as in RegionLatencyTest.
                    assertThat(bot.rtt().p50Ms()).as(bot.name()).isBetween(115.0, 320.0);
                }
                for (BotStats bot : atNear.bots()) {
                    // 2 x 2 ms, and below the 80 ms QoS threshold: the move to the near site shows.
                    assertThat(bot.rtt().p50Ms()).as(bot.name()).isBetween(3.8, 80.0);
                }
                HoldHandle hold = switchover.handle().orElseThrow();
                assertThat(hold.totalHeldPackets()).isPositive();
                assertThat(hold.abortRequired()).isFalse();
                ZoneTraffic traffic = gateway.traffic("z1");
                assertThat(traffic.udpSessions()).isEqualTo(BOTS);
                assertThat(traffic.droppedMalformed()).isZero();
                assertThat(traffic.droppedHoldOverflow()).isZero();
                assertThat(server.counters().badTokenPackets()).isZero();
                assertThat(server.counters().malformedUdpPackets()).isZero();
            }
        }
    }

    private static void recordRtts(Gateway gateway, SwarmStats window) {
        for (BotStats bot : window.bots()) {
            gateway.recordRtt("z1", bot.name(), Duration.ofNanos((long) (bot.rtt().p50Ms() * 1e6)));
        }
    }
}
