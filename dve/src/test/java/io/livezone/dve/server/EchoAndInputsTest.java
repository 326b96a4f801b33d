package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.livezone.dve.protocol.ClientPacket;
import io.livezone.dve.protocol.PacketType;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/** The control channel's ECHO mode and INPUTS report, with raw sockets. */
class EchoAndInputsTest {
    private ZoneServer server;

    @BeforeEach
    void start() throws IOException {
        server = ZoneServer.start(ZoneServerOptions.loopback("echo"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void echoSendsBackEveryByteUnchangedIncludingNewlinesThenClosesAfterTheClient()
            throws IOException {
        byte[] data = new byte[300_000];
        new SplittableRandom(7).nextBytes(data);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // The first bytes of the stream travel in the same segment as the command.
            byte[] first = new byte[5 + 100];
            System.arraycopy("ECHO\n".getBytes(StandardCharsets.US_ASCII), 0, first, 0, 5);
            System.arraycopy(data, 0, first, 5, 100);
            out.write(first);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] reply = new byte[8];
            in.readFully(reply);
            assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("ECHOING\n");
            Thread writer =
                    Thread.ofVirtual()
                            .start(
                                    () -> {
                                        try {
                                            out.write(data, 100, data.length - 100);
                                            s.shutdownOutput();
                                        } catch (IOException e) {
                                            throw new IllegalStateException(e);
                                        }
                                    });
            byte[] echoed = new byte[data.length];
            in.readFully(echoed);
            assertThat(Arrays.equals(echoed, data)).as("echoed bytes equal sent bytes").isTrue();
            assertThat(in.read()).as("server closes after the client's end").isEqualTo(-1);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(server.counters().echoSessions()).isEqualTo(1);
        assertThat(server.counters().echoBytes()).isEqualTo(data.length);
    }

    @Test
    void echoTakesNoArguments() throws IOException {
        try (Control c = new Control(server.tcpPort())) {
            assertThat(c.call("ECHO please")).isEqualTo("ERR usage: ECHO");
            assertThat(c.call("INPUTS now")).isEqualTo("ERR usage: INPUTS");
            assertThat(c.call("PING 1")).isEqualTo("PONG 1");
        }
    }

    @Test
    void inputsCountsMissingLateAndDuplicatedDatagramsPerClient() throws Exception {
        try (Control alice = new Control(server.tcpPort());
                Control bob = new Control(server.tcpPort());
                DatagramSocket aliceUdp = new DatagramSocket();
                DatagramSocket bobUdp = new DatagramSocket()) {
            int[] a = join(alice, "alice");
            int[] b = join(bob, "bob");
            long aToken = Long.parseUnsignedLong(alice.token, 16);
            long bToken = Long.parseUnsignedLong(bob.token, 16);
            // alice: 1 2 4 3 4 6 (5 lost, 3 late, 4 duplicated); bob: 1..5 in order.
            for (int seq : new int[] {1, 2, 4, 3, 4, 6}) {
                send(aliceUdp, a[0], aToken, seq);
            }
            for (int seq = 1; seq <= 5; seq++) {
                send(bobUdp, b[0], bToken, seq);
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.inputDelivery().received() == 11);
            InputDelivery d = InputDelivery.parse(alice.call("INPUTS"));
            assertThat(d).isEqualTo(new InputDelivery(2, 11, 1, 1, 1, 0));
            assertThat(d.completeAndInOrder()).isFalse();
            assertThat(server.inputDelivery()).isEqualTo(d);
            // Bogus datagrams (unknown client, bad token) are not anyone's inputs.
            send(bobUdp, 999, bToken, 9);
            send(bobUdp, b[0], bToken + 1, 9);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.counters().badTokenPackets() == 1);
            assertThat(server.inputDelivery().received()).isEqualTo(11);
        }
        // Closed sessions still count.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.counters().sessions() == 0);
        assertThat(server.inputDelivery()).isEqualTo(new InputDelivery(2, 11, 1, 1, 1, 0));
    }

    @Test
    void netstatsReportsTheKernelsUdpCounters() throws IOException {
        try (Control c = new Control(server.tcpPort())) {
            String reply = c.call("NETSTATS");
            if (java.nio.file.Files.isReadable(KernelUdpCounters.SNMP)) {
                assertThat(reply)
                        .matches(
                                "NETSTATS udpInDatagrams=\\d+ udpInErrors=\\d+"
                                        + " udpRcvbufErrors=\\d+");
            } else {
                assertThat(reply)
                        .isEqualTo("NETSTATS udpInDatagrams=-1 udpInErrors=-1 udpRcvbufErrors=-1");
            }
            assertThat(c.call("NETSTATS now")).isEqualTo("ERR usage: NETSTATS");
        }
        KernelUdpCounters parsed =
                KernelUdpCounters.parse(
                        java.util.List.of(
                                "Ip: Forwarding DefaultTTL",
                                "Ip: 1 64",
                                "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors",
                                "Udp: 100 2 7 90 5",
                                "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors",
                                "UdpLite: 0 0 0 0 0"));
        assertThat(parsed).isEqualTo(new KernelUdpCounters(100, 7, 5));
        assertThat(KernelUdpCounters.parse(java.util.List.of("nothing")))
                .isEqualTo(KernelUdpCounters.UNKNOWN);
    }

    @Test
    void inputDeliveryLineRoundTrips() {
        InputDelivery d = new InputDelivery(3, 100, 2, 1, 7, 0);
        assertThat(d.toLine())
                .isEqualTo("INPUTS sessions=3 received=100 missing=2 late=1 duplicates=7 tooOld=0");
        assertThat(InputDelivery.parse(d.toLine())).isEqualTo(d);
        assertThat(new InputDelivery(1, 5, 0, 0, 3, 0).completeAndInOrder()).isTrue();
    }

    private int[] join(Control c, String name) throws IOException {
        String[] w = c.call("JOIN " + name).split(" ");
        c.token = w[2];
        return new int[] {Integer.parseInt(w[1])};
    }

    private void send(DatagramSocket udp, int clientId, long token, int seq) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ClientPacket.SIZE);
        new ClientPacket(PacketType.INPUT, clientId, token, seq, 0, 0, false, false, 0, 0)
                .encode(buf);
        udp.send(
                new DatagramPacket(
                        buf.array(),
                        buf.position(),
                        InetAddress.getLoopbackAddress(),
                        server.udpPort()));
    }

    private static final class Control implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        String token;

        Control(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(5000);
            in =
                    new BufferedReader(
                            new InputStreamReader(
                                    socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        String call(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
