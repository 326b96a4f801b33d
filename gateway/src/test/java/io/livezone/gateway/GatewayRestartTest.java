package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;

/**
 * What the package documentation promises about a gateway restart on the same endpoint: UDP players
 * carry on (fresh sessions on their next datagram); TCP connections through the old gateway are
 * lost and must be re-opened.
 */
class GatewayRestartTest {

    @Test
    void udpPlayersCarryOnAndTcpConnectionsAreLost() throws Exception {
        try (UdpEchoZone udpZone = UdpEchoZone.start();
                TcpEchoZone tcpZone = TcpEchoZone.start()) {
            ZoneLocation location =
                    new ZoneLocation(udpZone.address(), tcpZone.address(), "site-a");
            Gateway first = Gateway.start(GatewayConfig.loopback());
            ZoneEndpoint endpoint = first.addZone("z1", location);
            try (UdpPlayers players = UdpPlayers.connect(3, endpoint.udp());
                    Socket tcpClient = new Socket()) {
                players.sendRound();
                await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 3);
                tcpClient.connect(endpoint.tcp(), 5000);
                tcpClient.setSoTimeout(10_000);
                tcpClient.getOutputStream().write(7);
                assertThat(tcpClient.getInputStream().read()).isEqualTo(7);

                first.close();
                assertThat(endOfStreamOrReset(tcpClient.getInputStream())).isTrue();

                try (Gateway second = Gateway.start(GatewayConfig.loopback())) {
                    ZoneEndpoint again = second.addZone("z1", location, endpoint.udp().getPort());
                    assertThat(again.udp()).isEqualTo(endpoint.udp());
                    assertThat(again.tcp()).isEqualTo(endpoint.tcp());
                    players.sendRound();
                    await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 6);
                    players.assertAllEchoedInOrder();
                    assertThat(second.traffic("z1").udpSessions()).isEqualTo(3);
                    // New upstream sockets: the zone sees new sources for the same players.
                    assertThat(udpZone.sources()).hasSize(6);
                    try (Socket reconnected = new Socket()) {
                        reconnected.connect(again.tcp(), 5000);
                        reconnected.setSoTimeout(10_000);
                        reconnected.getOutputStream().write(8);
                        assertThat(reconnected.getInputStream().read()).isEqualTo(8);
                    }
                }
            }
        }
    }

    private static boolean endOfStreamOrReset(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }
}
