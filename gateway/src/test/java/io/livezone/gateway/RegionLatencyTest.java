package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.livezone.gateway.latency.RegionLatency;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

class RegionLatencyTest {
    private static final RegionLatency LATENCY =
            RegionLatency.builder()
                    .oneWay("eu", "site-a", Duration.ofMillis(40))
                    .oneWay("eu", "site-b", Duration.ofMillis(5))
                    .oneWay("us", "site-b", Duration.ofMillis(70))
                    .build();

    private static GatewayConfig config() {
        return GatewayConfig.loopback().toBuilder()
                .regionLatency(LATENCY)
                .regionOf(client -> "eu")
                .build();
    }

    @Test
    void eachDirectionIsDelayedByTheRegionToSiteDelayAndMovingTheZoneChangesIt() throws Exception {
        try (Gateway gateway = Gateway.start(config());
                UdpEchoZone zone = UdpEchoZone.start();
                DatagramSocket euPlayer = loopbackSocket();
                DatagramSocket usPlayer = loopbackSocket()) {
            ZoneEndpoint endpoint = gateway.addZone("z1", zone.location("site-a"));
            // The US player was mapped explicitly when it joined; the other falls to the function.
            gateway.assignRegion((InetSocketAddress) usPlayer.getLocalSocketAddress(), "us");
            assertThat(gateway.regionOf((InetSocketAddress) euPlayer.getLocalSocketAddress()))
                    .isEqualTo("eu");

            assertThat(rttMillis(euPlayer, endpoint.udp())).isGreaterThanOrEqualTo(80);
            long usAtSiteA = rttMillis(usPlayer, endpoint.udp()); // us/site-a: no delay set
            assertThat(usAtSiteA).isGreaterThanOrEqualTo(0);

            gateway.retarget("z1", zone.location("site-b"));
            assertThat(rttMillis(euPlayer, endpoint.udp())).isGreaterThanOrEqualTo(10);
            assertThat(rttMillis(usPlayer, endpoint.udp())).isGreaterThanOrEqualTo(140);
        }
    }

    @Test
    void aShrinkingDelayNeverReordersAClientsPackets() throws Exception {
        try (Gateway gateway = Gateway.start(config());
                UdpEchoZone zone = UdpEchoZone.start()) {
            ZoneEndpoint endpoint = gateway.addZone("z1", zone.location("site-a"));
            try (UdpPlayers players = UdpPlayers.connect(4, endpoint.udp())) {
                for (int i = 0; i < 10; i++) {
                    players.sendRound(); // 40 ms each way
                }
                gateway.retarget("z1", zone.location("site-b")); // now 5 ms
                for (int i = 0; i < 10; i++) {
                    players.sendRound();
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> players.received() == players.sent());
                players.assertAllEchoedInOrder();
            }
        }
    }

    @Test
    void tcpIsDelayedToo() throws Exception {
        try (Gateway gateway = Gateway.start(config());
                TcpEchoZone zone = TcpEchoZone.start();
                Socket client = new Socket()) {
            ZoneEndpoint endpoint =
                    gateway.addZone("z1", ZoneLocation.of(zone.address(), "site-a"));
            client.connect(endpoint.tcp(), 5000);
            client.setTcpNoDelay(true);
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                out.write(i);
                assertThat(in.read()).isEqualTo(i);
                assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis())
                        .isGreaterThanOrEqualTo(80);
            }
        }
    }

    private static long rttMillis(DatagramSocket socket, InetSocketAddress to) throws Exception {
        byte[] data = {1, 2, 3, 4};
        long start = System.nanoTime();
        socket.send(new DatagramPacket(data, data.length, to));
        DatagramPacket reply = new DatagramPacket(new byte[64], 64);
        socket.receive(reply);
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    private static DatagramSocket loopbackSocket() throws Exception {
        DatagramSocket socket =
                new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(10_000);
        return socket;
    }
}
