package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.livezone.dve.protocol.ClientPacket;
import io.livezone.dve.protocol.PacketType;
import io.livezone.dve.protocol.PongPacket;
import io.livezone.dve.protocol.Protocol;
import io.livezone.dve.protocol.StateUpdate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Talks to an in-process server with raw sockets, as a client written in another language would.
 */
class ZoneServerTest {
    private ZoneServer server;

    @BeforeEach
    void start() throws IOException {
        server = ZoneServer.start(ZoneServerOptions.loopback("unit"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void exposesBoundEphemeralPortsAndTheReadyLine() {
        assertThat(server.tcpPort()).isPositive();
        assertThat(server.udpPort()).isPositive();
        assertThat(server.readyLine())
                .isEqualTo(
                        "LIVEZONE-ZONE-READY zone=unit tcp="
                                + server.tcpPort()
                                + " udp="
                                + server.udpPort());
    }

    @Test
    void ticksSequentially() {
        await().atMost(Duration.ofSeconds(5)).until(() -> server.counters().tick() >= 3);
    }

    @Test
    void controlProtocolAnswersJoinPingErrorsAndLeave() throws IOException {
        try (Control c = new Control(server.tcpPort())) {
            assertThat(c.call("PING 42")).isEqualTo("PONG 42");
            assertThat(c.call("HELLO there")).isEqualTo("ERR unknown command");
            assertThat(c.call("")).isEqualTo("ERR empty line");
            assertThat(c.call("JOIN")).startsWith("ERR usage: JOIN");
            assertThat(c.call("JOIN bad name")).startsWith("ERR usage: JOIN");
            assertThat(c.call("PING x")).startsWith("ERR usage: PING");
            assertThat(c.call("\u0000\u00ff\u0007garbage")).startsWith("ERR");
            assertThat(c.call("A".repeat(10_000))).isEqualTo("ERR line too long");
            String welcome = c.call("JOIN alice");
            assertThat(welcome).matches("WELCOME \\d+ [0-9a-f]+ " + server.udpPort() + " 20");
            assertThat(c.call("JOIN again")).startsWith("ERR already joined");
            assertThat(server.counters().sessions()).isEqualTo(1);
            assertThat(c.call("STATS"))
                    .matches(
                            "STATS tick=\\d+ sessions=1 catchUpTicks=\\d+ reanchors=\\d+"
                                    + " statesSent=\\d+");
            assertThat(c.call("STATS now")).startsWith("ERR usage: STATS");
            assertThat(c.call("LEAVE")).isEqualTo("BYE");
            assertThat(c.in.readLine()).isNull(); // server closed the connection
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.counters().sessions() == 0);
        assertThat(server.counters().tcpErrors()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void closingTheControlConnectionEndsTheSession() throws IOException {
        try (Control c = new Control(server.tcpPort())) {
            assertThat(c.call("JOIN bob")).startsWith("WELCOME");
            assertThat(server.counters().sessions()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.counters().sessions() == 0);
    }

    @Test
    void udpClientGetsImmediatePongsAndOneStatePerTick() throws IOException {
        try (Control c = new Control(server.tcpPort());
                DatagramSocket udp = new DatagramSocket()) {
            String[] w = c.call("JOIN carol").split(" ");
            int id = Integer.parseInt(w[1]);
            long token = Long.parseUnsignedLong(w[2], 16);
            udp.setSoTimeout(2_000);
            send(
                    udp,
                    new ClientPacket(PacketType.HELLO, id, token, 1, 0, 0, false, true, 77, 123L));

            PongPacket pong = null;
            StateUpdate previous = null;
            int states = 0;
            while (states < 5) {
                ByteBuffer packet = receive(udp);
                if (Protocol.peekType(packet) == PacketType.PONG) {
                    pong = PongPacket.decode(packet);
                    continue;
                }
                StateUpdate u = StateUpdate.decode(packet);
                assertThat(u.self().id()).isEqualTo(id);
                if (previous != null) {
                    assertThat(u.tick()).isEqualTo(previous.tick() + 1);
                    assertThat(u.prevDigest()).isEqualTo(previous.digest());
                }
                previous = u;
                states++;
            }
            assertThat(pong).isEqualTo(new PongPacket(id, 77, 123L, pong.serverTick()));
            assertThat(previous.lastInputSeq()).isEqualTo(1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void badTokensUnknownClientsAndMalformedDatagramsAreCountedAndDropped() throws Exception {
        try (Control c = new Control(server.tcpPort());
                DatagramSocket udp = new DatagramSocket()) {
            String[] w = c.call("JOIN dave").split(" ");
            int id = Integer.parseInt(w[1]);
            long token = Long.parseUnsignedLong(w[2], 16);
            send(
                    udp,
                    new ClientPacket(PacketType.INPUT, id, token + 1, 1, 0, 0, false, true, 1, 1L));
            send(
                    udp,
                    new ClientPacket(
                            PacketType.INPUT, id + 1000, token, 1, 0, 0, false, true, 1, 1L));
            byte[] junk = "definitely not a packet".getBytes(StandardCharsets.US_ASCII);
            udp.send(
                    new DatagramPacket(
                            junk, junk.length, InetAddress.getLoopbackAddress(), server.udpPort()));

            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(
                            () -> {
                                ZoneCounters counters = server.counters();
                                assertThat(counters.badTokenPackets()).isEqualTo(1);
                                assertThat(counters.unknownClientPackets()).isEqualTo(1);
                                assertThat(counters.malformedUdpPackets()).isEqualTo(1);
                            });
            // Silently: no pong and no state goes to the sender of a bad token.
            udp.setSoTimeout(300);
            try {
                udp.receive(new DatagramPacket(new byte[512], 512));
                throw new AssertionError("server answered an unauthenticated datagram");
            } catch (SocketTimeoutException expected) {
                // good
            }
            assertThat(server.counters().pongsSent()).isZero();
        }
    }

    @Test
    void closeReleasesPortsAndDisconnectsClients() throws IOException {
        int tcpPort = server.tcpPort();
        try (Control c = new Control(tcpPort)) {
            c.call("JOIN erin");
            server.close();
            assertThat(server.isRunning()).isFalse();
            assertThat(c.in.readLine()).isNull();
        }
        // The port can be bound again right away.
        try (ZoneServer again =
                ZoneServer.start(
                        new ZoneServerOptions(
                                "again", InetAddress.getLoopbackAddress(), tcpPort, 0, 20))) {
            assertThat(again.tcpPort()).isEqualTo(tcpPort);
        }
    }

    private void send(DatagramSocket udp, ClientPacket p) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ClientPacket.SIZE);
        p.encode(buf);
        udp.send(
                new DatagramPacket(
                        buf.array(),
                        buf.position(),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), server.udpPort())));
    }

    private static ByteBuffer receive(DatagramSocket udp) throws IOException {
        DatagramPacket dp = new DatagramPacket(new byte[1024], 1024);
        udp.receive(dp);
        return ByteBuffer.wrap(dp.getData(), 0, dp.getLength()).slice();
    }

    /** A raw line-protocol client. */
    private static final class Control implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final PrintWriter out;

        Control(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(5_000);
            in =
                    new BufferedReader(
                            new InputStreamReader(
                                    socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.ISO_8859_1);
        }

        String call(String line) throws IOException {
            out.print(line + "\n");
            out.flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
