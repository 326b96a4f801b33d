package io.livezone.dve.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.dve.protocol.AvatarState;
import io.livezone.dve.protocol.ClientPacket;
import io.livezone.dve.protocol.StateUpdate;
import io.livezone.dve.server.InputDelivery;
import io.livezone.dve.server.ZoneServer;
import io.livezone.dve.server.ZoneServerOptions;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * What the continuity benchmark measures with bots and echo sessions: update lateness against the
 * tick schedule, input delivery as the zone server sees it, and checksummed TCP echo streams.
 */
class ContinuityMeasurementsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Test
    void aPausedZoneMakesOneUpdateLateByThePauseNotEveryLaterOne() throws Exception {
        try (ScriptedZone zone = new ScriptedZone();
                BotSwarm swarm =
                        BotSwarm.start(zone.endpoint(), 1, BotConfig.defaults().withInputHz(50))) {
            SocketAddress bot = zone.awaitBot();
            // 10 ticks on a 50 ms schedule, a 300 ms pause, 10 more ticks; tick 21 goes missing.
            long tick = 1;
            for (; tick <= 10; tick++) {
                zone.sendState(bot, tick);
                Thread.sleep(50);
            }
            Thread.sleep(300);
            for (; tick <= 20; tick++) {
                zone.sendState(bot, tick);
                Thread.sleep(50);
            }
            zone.sendState(bot, 22);
            await().atMost(PATIENCE).until(() -> swarm.total().aggregate().updatesReceived() == 21);
            AggregateStats s = swarm.total().aggregate();
            LatencySummary lateness = s.updateLateness();
            assertThat(lateness.count()).as("every update after the first").isEqualTo(20);
            // The pause: tick 11 came 350 ms after tick 10 instead of 50 (the histogram has ~3 %
            // resolution); a sleep only ever overshoots.
            assertThat(lateness.maxMs()).isGreaterThanOrEqualTo(290);
            // The schedule follows the zone: the updates after tick 11 are not counted late by the
            // pause again (only by this host's scheduling, far below it).
            assertThat(lateness.p50Ms()).isLessThan(200);
            assertThat(s.lost()).isEqualTo(1);
            assertThat(s.bots()).isEqualTo(1);
            assertThat(swarm.total().bots().get(0).updateLateness()).isEqualTo(lateness);
        }
    }

    @Test
    void windowsOfOneKindArePooledSoThatTheirPercentilesSpanThemAll() throws Exception {
        try (ScriptedZone zone = new ScriptedZone();
                BotSwarm swarm =
                        BotSwarm.start(zone.endpoint(), 1, BotConfig.defaults().withInputHz(50))) {
            SocketAddress bot = zone.awaitBot();
            LatencyPool calm = new LatencyPool();
            LatencyPool paused = new LatencyPool();
            long tick = 1;
            for (int window = 0; window < 2; window++) {
                for (int i = 0; i < 5; i++, tick++) {
                    zone.sendState(bot, tick);
                    Thread.sleep(50);
                }
                long sent = tick - 1;
                await().atMost(PATIENCE)
                        .until(() -> swarm.total().aggregate().updatesReceived() == sent);
                swarm.cutWindow(calm);
                Thread.sleep(300);
                for (int i = 0; i < 5; i++, tick++) {
                    zone.sendState(bot, tick);
                    Thread.sleep(50);
                }
                long sentAll = tick - 1;
                await().atMost(PATIENCE)
                        .until(() -> swarm.total().aggregate().updatesReceived() == sentAll);
                swarm.cutWindow(paused);
            }

            assertThat(calm.windows()).isEqualTo(2);
            assertThat(paused.windows()).isEqualTo(2);
            assertThat(calm.summary().count() + paused.summary().count())
                    .isEqualTo(swarm.total().aggregate().updateLateness().count());
            // Both pauses land in the paused pool, none in the calm one.
            assertThat(paused.summary().maxMs()).isGreaterThanOrEqualTo(290);
            assertThat(calm.summary().maxMs()).isLessThan(200);
        }
    }

    @Test
    void theZoneServerSeesEveryInputOfRealBotsInOrder() throws Exception {
        try (ZoneServer server = ZoneServer.start(ZoneServerOptions.loopback("inputs"))) {
            try (BotSwarm swarm = BotSwarm.start(server.tcpEndpoint(), 5, BotConfig.defaults())) {
                assertThat(swarm.awaitAllReceiving(PATIENCE)).isTrue();
                await().atMost(PATIENCE).until(() -> server.inputDelivery().received() > 100);
                InputDelivery d = ZoneQuery.inputs(server.tcpEndpoint(), PATIENCE);
                assertThat(d.sessions()).isEqualTo(5);
                assertThat(d.received()).isGreaterThan(100);
                assertThat(d.duplicates()).isZero();
                assertThat(d.completeAndInOrder()).isTrue();

                // Totals can start afresh after a warm-up.
                long before = swarm.total().aggregate().updatesReceived();
                swarm.resetTotals();
                assertThat(swarm.total().aggregate().updatesReceived()).isLessThan(before);
                assertThat(swarm.total().aggregate().disconnected()).isZero();
            }
        }
    }

    @Test
    void anEchoSessionStreamsVerifiesAndFinishesComplete() throws Exception {
        try (ZoneServer server = ZoneServer.start(ZoneServerOptions.loopback("echo"))) {
            EchoSession session =
                    EchoSession.open(
                            server.tcpEndpoint(), 11, 4096, Duration.ofMillis(2), PATIENCE);
            await().atMost(PATIENCE).until(() -> session.stats().bytesEchoed() > 400_000);
            EchoSession.Stats window = session.cutWindow();
            assertThat(window.intact()).isTrue();
            assertThat(window.chunkRtt().count()).isPositive();
            assertThat(session.localAddress().getPort()).isPositive();
            EchoSession.Stats done = session.finish(PATIENCE);
            assertThat(done.complete()).as(done.toString()).isTrue();
            assertThat(done.bytesSent()).isEqualTo(done.bytesEchoed()).isGreaterThan(400_000);
            assertThat(done.crcEchoed()).isEqualTo(done.crcSent());
            assertThat(done.reset()).isFalse();
            assertThat(server.counters().echoBytes()).isEqualTo(done.bytesSent());
        }
    }

    @Test
    void anEchoSessionReportsAZoneThatGoesAway() throws Exception {
        EchoSession session;
        try (ZoneServer server = ZoneServer.start(ZoneServerOptions.loopback("gone"))) {
            session =
                    EchoSession.open(server.tcpEndpoint(), 3, 1024, Duration.ofMillis(5), PATIENCE);
            await().atMost(PATIENCE).until(() -> session.stats().bytesEchoed() > 10_000);
        }
        await().atMost(PATIENCE).until(() -> session.stats().failed());
        assertThat(session.stats().intact()).isFalse();
        assertThat(session.stats().failure()).isNotBlank();
        session.close();
    }

    @Test
    void anEchoSessionNeedsAZoneThatEchoes() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at =
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort());
            assertThatThrownBy(
                            () ->
                                    EchoSession.open(
                                            at, 1, 1024, Duration.ZERO, Duration.ofMillis(300)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("ECHO");
        }
        InetSocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        assertThatThrownBy(() -> EchoSession.open(nobody, 1, 1024, Duration.ZERO, PATIENCE))
                .isInstanceOf(ZoneUnreachableException.class);
    }

    /** A zone whose updates the test sends by hand, to control their timing exactly. */
    private static final class ScriptedZone implements AutoCloseable {
        private final ServerSocket tcp = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        private volatile Socket control;

        ScriptedZone() throws IOException {
            Thread.ofVirtual().start(this::serve);
        }

        InetSocketAddress endpoint() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort());
        }

        private void serve() {
            try {
                Socket s = tcp.accept();
                control = s;
                BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        s.getInputStream(), StandardCharsets.US_ASCII));
                in.readLine(); // JOIN
                s.getOutputStream()
                        .write(
                                ("WELCOME 1 1f " + udp.getLocalPort() + " 20\n")
                                        .getBytes(StandardCharsets.US_ASCII));
                while (in.readLine() != null) {
                    // LEAVE and anything else: ignored
                }
            } catch (IOException e) {
                // closed
            }
        }

        /** Waits for the bot's first datagram and returns where it came from. */
        SocketAddress awaitBot() throws IOException {
            byte[] buf = new byte[ClientPacket.SIZE];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            udp.setSoTimeout(10_000);
            udp.receive(p);
            return p.getSocketAddress();
        }

        void sendState(SocketAddress to, long tick) throws IOException {
            StateUpdate u =
                    new StateUpdate(
                            tick,
                            tick,
                            tick - 1,
                            0,
                            new AvatarState(1, 0, 0, 0, 100, 0, 0),
                            List.of(),
                            List.of());
            ByteBuffer buf = ByteBuffer.allocate(StateUpdate.SIZE);
            u.encode(buf);
            udp.send(new DatagramPacket(buf.array(), StateUpdate.SIZE, to));
        }

        @Override
        public void close() throws IOException {
            tcp.close();
            udp.close();
            if (control != null) {
                control.close();
            }
        }
    }
}
