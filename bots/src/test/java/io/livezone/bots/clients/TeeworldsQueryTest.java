package io.livezone.bots.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Teeworlds 0.7 query's bytes, checked against what a real 0.7.5 server (Debian's {@code
 * teeworlds-server}) sent and accepted on loopback; the real server itself is queried by the
 * cluster's integration tests.
 */
class TeeworldsQueryTest {
    private static final HexFormat HEX = HexFormat.of();

    /** A 0.7.5 server's answer, recorded: tokens, "inf3", browser token 1, then the fields. */
    private static final String INFO_REPLY =
            "2190e15f3eab984bc6ffffffff696e663301302e372e35004c6976655a6f6e652d54570000646d3100"
                    + "444d00000100080008";

    @Test
    void requestsAreTheBytesARealServerAnswers() {
        byte[] probe = TeeworldsQuery.probeRequest();
        assertThat(probe).hasSize(519);
        assertThat(HEX.formatHex(probe, 0, 12)).isEqualTo("040000ffffffff054c5a5052");
        assertThat(Arrays.copyOfRange(probe, 12, 519)).containsOnly(0);
        assertThat(HEX.formatHex(TeeworldsQuery.infoRequest(0x2fcf0d9f, 0xd22a2606, 1)))
                .isEqualTo("212fcf0d9fd22a2606ffffffff6769653301");
    }

    @Test
    void variableIntsRoundTrip() throws Exception {
        assertThat(HEX.formatHex(TeeworldsQuery.varInt(1))).isEqualTo("01");
        assertThat(HEX.formatHex(TeeworldsQuery.varInt(63))).isEqualTo("3f");
        assertThat(HEX.formatHex(TeeworldsQuery.varInt(64))).isEqualTo("8001");
        assertThat(HEX.formatHex(TeeworldsQuery.varInt(-1))).isEqualTo("40");
        for (int v : new int[] {0, 1, 63, 64, 8191, 8192, 0xffffff, -5}) {
            assertThat(new TeeworldsQuery.Reader(TeeworldsQuery.varInt(v), 0).varInt())
                    .isEqualTo(v);
        }
    }

    /**
     * A stand-in that answers as the recorded server did and forgets its token once, as a restarted
     * server would: the client shakes hands again, and counts it.
     */
    @Test
    void aQueryShakesHandsOnceAndAgainOnlyWhenTheServerForgetsItsToken() throws Exception {
        AtomicInteger serverToken = new AtomicInteger(0x2fcf0d9f);
        try (DatagramSocket server =
                        new DatagramSocket(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                TeeworldsQuery query =
                        TeeworldsQuery.open((InetSocketAddress) server.getLocalSocketAddress())) {
            Thread answering = Thread.ofVirtual().start(() -> answer(server, serverToken));
            TeeworldsQuery.Info info = query.query(Duration.ofSeconds(2));
            assertThat(info)
                    .isEqualTo(
                            new TeeworldsQuery.Info(
                                    "0.7.5", "LiveZone-TW", "dm1", "DM", 0, 8, 0, 8));
            query.query(Duration.ofSeconds(2));
            assertThat(query.handshakes()).isEqualTo(1);

            assertThat(query.retries()).isZero();

            serverToken.set(0x11223344); // "restarted": the old token is ignored
            query.query(Duration.ofMillis(300));
            assertThat(query.handshakes()).isEqualTo(2);
            assertThat(query.retries()).as("sent again once, then a new handshake").isEqualTo(2);
            answering.interrupt();
        }
    }

    @Test
    void aSilentServerIsATimeout() throws Exception {
        try (DatagramSocket server =
                        new DatagramSocket(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                TeeworldsQuery query =
                        TeeworldsQuery.open((InetSocketAddress) server.getLocalSocketAddress())) {
            assertThatThrownBy(() -> query.query(Duration.ofMillis(200)))
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    private static void answer(DatagramSocket server, AtomicInteger serverToken) {
        byte[] buf = new byte[2048];
        try {
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                server.receive(p);
                byte[] d = Arrays.copyOf(buf, p.getLength());
                byte[] reply;
                if (d[0] == 0x04 && d.length >= 519) {
                    reply =
                            ByteBuffer.allocate(12)
                                    .put(new byte[] {0x04, 0, 0})
                                    .put(d, 8, 4)
                                    .put((byte) 5)
                                    .putInt(serverToken.get())
                                    .array();
                } else if (d[0] == 0x21 && ByteBuffer.wrap(d, 1, 4).getInt() == serverToken.get()) {
                    reply = HEX.parseHex(INFO_REPLY);
                    System.arraycopy(d, 5, reply, 1, 4); // to the client's token
                    ByteBuffer.wrap(reply, 5, 4).putInt(serverToken.get());
                    reply[17] = d[d.length - 1]; // its browser token (one byte while < 64)
                } else {
                    continue; // an unknown token: ignored, as the real server does
                }
                server.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            }
        } catch (java.io.IOException closed) {
            // the test is over
        }
    }
}
