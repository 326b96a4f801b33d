package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

class TcpHoldReleaseTest {
    @Test
    void aStreamKeepsItsBytesAndOrderThroughAHoldAndRelease() throws Exception {
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder().maxHold(Duration.ofMinutes(1)).build();
        try (Gateway gateway = Gateway.start(config);
                TcpEchoZone zone = TcpEchoZone.start()) {
            ZoneLocation location = ZoneLocation.of(zone.address(), "site-a");
            ZoneEndpoint endpoint = gateway.addZone("z1", location);
            try (TcpStream stream = TcpStream.open(endpoint.tcp())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> stream.read() > 64 * 1024);

                HoldHandle hold = gateway.hold("z1");
                // What was forwarded before the hold still arrives (it was on its way)...
                long forwarded = gateway.traffic("z1").tcpBytesToZone();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> zone.receivedBytes() == forwarded);
                long atZone = zone.receivedBytes();
                await().atMost(Duration.ofSeconds(20)).until(() -> hold.heldBytes() > 64 * 1024);
                // ...but nothing else reaches the zone while it is held.
                Thread.sleep(100);
                assertThat(zone.receivedBytes()).isEqualTo(atZone);
                assertThat(gateway.traffic("z1").tcpBytesToZone()).isEqualTo(forwarded);

                // The VM kept its address: release to the same place.
                gateway.release("z1", location);

                await().atMost(Duration.ofSeconds(20))
                        .until(() -> zone.receivedBytes() >= atZone + hold.maxHeldBytes());
                stream.stop();
                long[] crc = stream.finish(30_000);
                long total = stream.written();
                assertThat(stream.read()).isEqualTo(total);
                assertThat(crc[1]).isEqualTo(crc[0]);
                assertThat(hold.totalHeldPackets()).isGreaterThan(0);
                assertThat(hold.abortRequired()).isFalse();
                assertThat(zone.accepted()).isEqualTo(1);
                ZoneTraffic traffic = gateway.traffic("z1");
                assertThat(traffic.tcpBytesToZone()).isEqualTo(total);
                assertThat(traffic.tcpBytesToClient()).isEqualTo(total);
                assertThat(traffic.heldTcpChunks()).isEqualTo(hold.totalHeldPackets());
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> gateway.traffic("z1").tcpConnections() == 0);
        }
    }

    @Test
    void aClientConnectingDuringAHoldReachesTheZoneWhereItIsReleasedTo() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                TcpEchoZone source = TcpEchoZone.start();
                TcpEchoZone destination = TcpEchoZone.start()) {
            ZoneEndpoint endpoint =
                    gateway.addZone("z1", ZoneLocation.of(source.address(), "site-a"));
            HoldHandle hold = gateway.hold("z1");
            try (Socket client = new Socket()) {
                client.connect(endpoint.tcp(), 5000);
                client.setSoTimeout(10_000);
                OutputStream out = client.getOutputStream();
                out.write("JOIN alice\n".getBytes(StandardCharsets.US_ASCII));
                await().atMost(Duration.ofSeconds(10)).until(() -> hold.heldBytes() == 11);
                assertThat(source.accepted()).isZero();
                assertThat(destination.accepted()).isZero();

                gateway.release("z1", ZoneLocation.of(destination.address(), "site-b"));

                InputStream in = client.getInputStream();
                byte[] echo = in.readNBytes(11);
                assertThat(new String(echo, StandardCharsets.US_ASCII)).isEqualTo("JOIN alice\n");
                assertThat(destination.accepted()).isEqualTo(1);
                assertThat(source.accepted()).isZero();
            }
        }
    }

    @Test
    void aFullHoldStopsReadingTcpClientsInsteadOfDroppingBytes() throws Exception {
        GatewayConfig config = GatewayConfig.loopback().toBuilder().maxHeldBytes(64 * 1024).build();
        try (Gateway gateway = Gateway.start(config);
                TcpEchoZone zone = TcpEchoZone.start()) {
            ZoneLocation location = ZoneLocation.of(zone.address(), "site-a");
            ZoneEndpoint endpoint = gateway.addZone("z1", location);
            HoldHandle hold = gateway.hold("z1");
            try (TcpStream stream = TcpStream.open(endpoint.tcp(), 1 << 20)) {
                await().atMost(Duration.ofSeconds(10)).until(hold::overflowed);
                assertThat(hold.problem()).contains(HoldProblem.OVERFLOWED);
                // Bounded: the rest waits in the sockets (TCP flow control), nothing is cut.
                assertThat(hold.heldBytes()).isLessThanOrEqualTo(64 * 1024);
                assertThat(zone.receivedBytes()).isZero();

                // The migration is aborted: release back to the source.
                gateway.release("z1", location);
                long[] crc = stream.finish(30_000);
                assertThat(stream.read()).isEqualTo(1 << 20);
                assertThat(crc[1]).isEqualTo(crc[0]);
            }
            assertThat(gateway.traffic("z1").droppedHoldOverflow()).isZero();
        }
    }
}
