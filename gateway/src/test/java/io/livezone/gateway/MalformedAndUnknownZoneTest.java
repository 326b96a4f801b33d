package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;

class MalformedAndUnknownZoneTest {
    /** The zone protocol's header: magic "LZ", version 1, type INPUT. */
    private static final byte[] HEADER = {0x4C, 0x5A, 1, 2};

    @Test
    void malformedDatagramsAreCountedAndDroppedWhileOthersPlayOn() throws Exception {
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder()
                        .datagramCheck(DatagramCheck.LIVEZONE_HEADER)
                        .maxDatagramBytes(512)
                        .build();
        try (Gateway gateway = Gateway.start(config);
                UdpEchoZone zone = UdpEchoZone.start();
                DatagramSocket rogue = loopbackSocket()) {
            ZoneEndpoint endpoint = gateway.addZone("z1", zone.location("site-a"));
            try (UdpPlayers players = UdpPlayers.connect(5, endpoint.udp(), HEADER)) {
                for (int round = 0; round < 10; round++) {
                    players.sendRound();
                    send(rogue, endpoint.udp(), new byte[0]); // empty
                    send(rogue, endpoint.udp(), new byte[513]); // too long
                    send(rogue, endpoint.udp(), new byte[] {0x4C, 0x5A, 9, 2, 0}); // bad version
                    send(rogue, endpoint.udp(), "GET / HTTP/1.1\r\n".getBytes()); // wrong port
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> gateway.traffic("z1").droppedMalformed() == 40);
                await().atMost(Duration.ofSeconds(10)).until(() -> players.received() == 50);
                players.assertAllEchoedInOrder();
                ZoneTraffic traffic = gateway.traffic("z1");
                assertThat(traffic.udpToZone()).isEqualTo(50);
                assertThat(traffic.udpSessions()).isEqualTo(5); // no session for the rogue
                assertThat(zone.received()).isEqualTo(50);
                assertThat(gateway.meterRegistry().scrape())
                        .contains("livezone_gateway_dropped_malformed_total{zone=\"z1\"} 40");
            }
        }
    }

    @Test
    void trafficForAWithdrawnZoneIsCountedAsUnknownAndDoesNotDisturbOtherZones() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone zone1 = UdpEchoZone.start();
                UdpEchoZone zone2 = UdpEchoZone.start();
                TcpEchoZone tcp1 = TcpEchoZone.start()) {
            ZoneEndpoint e1 =
                    gateway.addZone(
                            "z1", new ZoneLocation(zone1.address(), tcp1.address(), "site-a"));
            ZoneEndpoint e2 = gateway.addZone("z2", zone2.location("site-a"));
            gateway.withdraw("z1");
            assertThat(gateway.location("z1")).isEmpty();
            try (UdpPlayers lost = UdpPlayers.connect(3, e1.udp());
                    UdpPlayers playing = UdpPlayers.connect(3, e2.udp())) {
                lost.sendRound();
                playing.sendRound();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> gateway.traffic("z1").unknownZone() == 3);
                await().atMost(Duration.ofSeconds(10)).until(() -> playing.received() == 3);
                assertThat(zone1.received()).isZero();

                // A TCP client of a withdrawn zone is refused (closed) and counted.
                try (Socket client = new Socket()) {
                    client.connect(e1.tcp(), 5000);
                    client.setSoTimeout(5000);
                    InputStream in = client.getInputStream();
                    assertThat(readOrReset(in)).isEqualTo(-1);
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> gateway.traffic("z1").unknownZone() == 4);
                assertThat(tcp1.accepted()).isZero();

                // Placed again: the same endpoint works.
                gateway.retarget("z1", new ZoneLocation(zone1.address(), tcp1.address(), "s"));
                lost.sendRound();
                await().atMost(Duration.ofSeconds(10)).until(() -> lost.received() == 3);
                assertThat(gateway.traffic("z2").unknownZone()).isZero();
                assertThat(gateway.meterRegistry().scrape())
                        .contains(
                                "livezone_gateway_unknown_zone_total{protocol=\"udp\",zone=\"z1\"}"
                                        + " 3")
                        .contains(
                                "livezone_gateway_unknown_zone_total{protocol=\"tcp\",zone=\"z1\"}"
                                        + " 1");
            }
        }
    }

    private static int readOrReset(InputStream in) throws Exception {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    private static DatagramSocket loopbackSocket() throws Exception {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static void send(DatagramSocket socket, InetSocketAddress to, byte[] data)
            throws Exception {
        socket.send(new DatagramPacket(data, data.length, to));
    }
}
