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
    private static final Duration EU_A = Duration.ofMillis(150);
    private static final Duration EU_B = Duration.ofMillis(5);
    private static final Duration US_B = Duration.ofMillis(120);
    private static final RegionLatency LATENCY =
            RegionLatency.builder()
                    .oneWay("eu", "site-a", EU_A)
                    .oneWay("eu", "site-b", EU_B)
                    .oneWay("us", "site-b", US_B)
                    .build();

    /**
     * How much longer than its configured delay a round trip may take: generous for a busy 2-core
     * machine, yet the delays above are chosen so that a gateway applying the zone's old site, or
     * the other region, lands outside the band (e.g. eu at site-b: 10..210 ms, where the old site-a
     * delay gives 300 ms and the us delay 240 ms).
     */
    private static final long SLACK_MILLIS = 200;

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

            assertRoundTrip(rttMillis(euPlayer, endpoint.udp()), EU_A);
            assertRoundTrip(rttMillis(usPlayer, endpoint.udp()), Duration.ZERO); // none set

            gateway.retarget("z1", zone.location("site-b"));
            assertRoundTrip(rttMillis(euPlayer, endpoint.udp()), EU_B);
            assertRoundTrip(rttMillis(usPlayer, endpoint.udp()), US_B);
        }
    }

    @Test
    void aShrinkingDelayNeverReordersAClientsPackets() throws Exception {
        try (Gateway gateway = Gateway.start(config());
                UdpEchoZone zone = UdpEchoZone.start()) {
            ZoneEndpoint endpoint = gateway.addZone("z1", zone.location("site-a"));
            try (UdpPlayers players = UdpPlayers.connect(4, endpoint.udp())) {
                for (int i = 0; i < 10; i++) {
                    players.sendRound(); // 150 ms each way
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
                assertRoundTrip(Duration.ofNanos(System.nanoTime() - start).toMillis(), EU_A);
            }
        }
    }

    /** A round trip took the one-way delay twice, plus at most {@link #SLACK_MILLIS}. */
    private static void assertRoundTrip(long measuredMillis, Duration oneWay) {
        long expected = 2 * oneWay.toMillis();
        assertThat(measuredMillis)
                .as("round trip with %d ms each way", oneWay.toMillis())
                .isBetween(expected, expected + SLACK_MILLIS);
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
