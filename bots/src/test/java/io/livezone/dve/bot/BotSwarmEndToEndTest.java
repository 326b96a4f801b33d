package io.livezone.dve.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.dve.protocol.ClientPacket;
import io.livezone.dve.protocol.PacketType;
import io.livezone.dve.server.ZoneCounters;
import io.livezone.dve.server.ZoneServer;
import io.livezone.dve.server.ZoneServerOptions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A real zone server in-process on 127.0.0.1 and real bots, over real sockets. */
class BotSwarmEndToEndTest {
    private static final int BOTS = 20;
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private ZoneServer server;

    @BeforeEach
    void startZone() throws IOException {
        server = ZoneServer.start(ZoneServerOptions.loopback("e2e"));
    }

    @AfterEach
    void stopZone() {
        server.close();
    }

    @Test
    void twentyBotsReceiveEveryTickAt20HzWithRttAndUnbrokenChains() throws Exception {
        try (BotSwarm swarm = BotSwarm.start(server.tcpEndpoint(), BOTS, BotConfig.defaults())) {
            assertThat(swarm.awaitAllReceiving(PATIENCE)).isTrue();
            SwarmStats joinPhase = swarm.cutWindow(); // drop the join phase
            long startNanos = System.nanoTime();
            long firstTick = server.counters().tick();
            waitForTicks(40); // about 2 s of play
            long lastTick = server.counters().tick();
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            awaitEveryBotReceived(swarm, lastTick);
            SwarmStats window = swarm.cutWindow();

            // The zone ticks on a fixed schedule with catch-up, so a loaded machine delays ticks
            // without dropping them: a wide band still tells 20 Hz from half or double the rate.
            // (TickLoopTest checks the cadence exactly, on a fake clock.)
            assertThat((lastTick - firstTick) / seconds)
                    .as("ticks per second")
                    .isBetween(12.0, 30.0);
            assertThat(window.bots()).hasSize(BOTS);
            assertOneUpdatePerTick(joinPhase, window, lastTick - firstTick);
            for (BotStats bot : window.bots()) {
                assertThat(bot.lost()).as(bot.name()).isZero();
                assertThat(bot.duplicated()).isZero();
                assertThat(bot.outOfOrder()).isZero();
                assertThat(bot.chainBreaks()).isZero();
                assertThat(bot.disconnected()).isFalse();
                assertThat(bot.rtt().count()).as(bot.name() + " RTT samples").isPositive();
                assertThat(bot.rtt().maxMs()).isPositive();
                assertThat(bot.malformedPackets()).isZero();
            }
            AggregateStats all = window.aggregate();
            assertThat(all.tickContinuityOk()).isTrue();
            assertThat(all.disconnected()).isZero();
            assertThat(all.rtt().count()).isGreaterThanOrEqualTo(BOTS);
            assertThat(window.toJson()).contains("\"bot-19\"");

            ZoneCounters counters = server.counters();
            assertThat(counters.sessions()).isEqualTo(BOTS);
            assertThat(counters.badTokenPackets() + counters.malformedUdpPackets()).isZero();
        }
        // close() left cleanly: sessions gone on the server, and no bot counted as disconnected.
        await().atMost(PATIENCE).until(() -> server.counters().sessions() == 0);
    }

    @Test
    void cleanCloseIsNotADisconnect() throws Exception {
        BotSwarm swarm = BotSwarm.start(server.tcpEndpoint(), 5, BotConfig.defaults());
        assertThat(swarm.awaitAllReceiving(PATIENCE)).isTrue();
        swarm.close();
        swarm.close(); // idempotent
        assertThat(swarm.connectedCount()).isZero();
        assertThat(swarm.total().aggregate().disconnected()).isZero();
        await().atMost(PATIENCE).until(() -> server.counters().sessions() == 0);
    }

    @Test
    void badTokensMalformedPacketsAndGarbageControlLinesDoNotDisturbOtherBots() throws Exception {
        try (BotSwarm swarm = BotSwarm.start(server.tcpEndpoint(), BOTS, BotConfig.defaults());
                DatagramSocket attacker = new DatagramSocket();
                Socket rogue = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
            assertThat(swarm.awaitAllReceiving(PATIENCE)).isTrue();
            SwarmStats beforeAttack = swarm.cutWindow();

            InetSocketAddress udp =
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.udpPort());
            for (int clientId = 1; clientId <= BOTS; clientId++) {
                // Wrong token for every real client id: must neither move their avatar nor steal
                // their updates.
                sendInput(
                        attacker,
                        udp,
                        new ClientPacket(
                                PacketType.INPUT,
                                clientId,
                                12345L,
                                Integer.MAX_VALUE,
                                1,
                                1,
                                true,
                                true,
                                1,
                                1));
            }
            byte[] junk = new byte[300];
            attacker.send(new DatagramPacket(junk, junk.length, udp));
            attacker.send(new DatagramPacket(junk, 3, udp));
            OutputStream out = rogue.getOutputStream();
            out.write("\u0001\u0002 nonsense\nJOIN\nPING\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[5000]); // an endless line of zeros
            out.write('\n');
            out.flush();

            await().atMost(PATIENCE)
                    .untilAsserted(
                            () -> {
                                ZoneCounters c = server.counters();
                                assertThat(c.badTokenPackets()).isEqualTo(BOTS);
                                assertThat(c.malformedUdpPackets()).isEqualTo(2);
                                assertThat(c.tcpErrors()).isEqualTo(4);
                            });
            SwarmStats window = playTicks(swarm, 20);
            assertThat(window.tickContinuityOk()).isTrue();
            assertThat(window.aggregate().lost()).isZero();
            assertThat(window.aggregate().disconnected()).isZero();
            assertOneUpdatePerTick(beforeAttack, window, 20);
            assertThat(server.counters().sessions()).isEqualTo(BOTS);
        }
    }

    @Test
    void killingTheZoneMakesEveryBotReportADisconnect() throws Exception {
        try (BotSwarm swarm = BotSwarm.start(server.tcpEndpoint(), BOTS, BotConfig.defaults())) {
            assertThat(swarm.awaitAllReceiving(PATIENCE)).isTrue();
            swarm.cutWindow();
            server.close();
            await().atMost(PATIENCE).until(() -> swarm.connectedCount() == 0);
            SwarmStats window = swarm.cutWindow();
            assertThat(window.aggregate().disconnected()).isEqualTo(BOTS);
            assertThat(window.bots())
                    .allSatisfy(
                            b -> assertThat(b.disconnectReason()).contains("control connection"));
            assertThat(swarm.cutWindow().aggregate().disconnected())
                    .as("counted once, in its window")
                    .isZero();
            assertThat(swarm.total().aggregate().disconnected()).isEqualTo(BOTS);
        }
    }

    @Test
    void botsGiveUpWhenUpdatesStopWhileTcpStaysOpen() throws Exception {
        BotConfig config = BotConfig.defaults().withUpdateTimeout(Duration.ofMillis(300));
        try (FakeZone frozen = FakeZone.silent();
                BotSwarm swarm = BotSwarm.start(frozen.endpoint(), 5, config)) {
            await().atMost(PATIENCE).until(() -> swarm.connectedCount() == 0);
            assertThat(swarm.receivingCount()).as("bots that ever got an update").isZero();
            SwarmStats stats = swarm.total();
            assertThat(stats.aggregate().disconnected()).isEqualTo(5);
            assertThat(stats.bots())
                    .allSatisfy(b -> assertThat(b.disconnectReason()).startsWith("no update for"));
            assertThat(stats.aggregate().pingsSent()).isPositive();
            assertThat(stats.aggregate().pongsReceived()).isZero();
        }
    }

    @Test
    void unreachableZoneFailsWithAClearException() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        InetSocketAddress nowhere =
                new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
        assertThatThrownBy(() -> BotSwarm.start(nowhere, 10, BotConfig.defaults()))
                .isInstanceOf(ZoneUnreachableException.class)
                .hasMessageContaining("unreachable")
                .hasMessageContaining(":" + closedPort);
    }

    @Test
    void aZoneRejectingJoinFailsWithItsReason() throws Exception {
        try (FakeZone full = new FakeZone("ERR zone full")) {
            assertThatThrownBy(() -> BotSwarm.start(full.endpoint(), 3, BotConfig.defaults()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("ERR zone full");
        }
    }

    @Test
    void aFewHundredBotsShareAFewIoThreads() throws Exception {
        BotConfig config = BotConfig.defaults().withIoThreads(2);
        try (BotSwarm swarm = BotSwarm.start(server.tcpEndpoint(), 200, config)) {
            assertThat(swarm.awaitAllReceiving(PATIENCE)).isTrue();
            swarm.cutWindow();
            // Every bot keeps receiving through the two threads: each gets the newest tick.
            SwarmStats window = playTicks(swarm, 20);
            assertThat(window.tickContinuityOk()).isTrue();
            assertThat(window.aggregate().disconnected()).isZero();
            assertThat(window.bots()).allSatisfy(b -> assertThat(b.updatesReceived()).isPositive());
            assertThat(
                            Thread.getAllStackTraces().keySet().stream()
                                    .filter(t -> t.getName().startsWith("bot-io-")))
                    .hasSize(2);
        }
        await().atMost(PATIENCE).until(() -> server.counters().sessions() == 0);
    }

    /**
     * Lets the zone run {@code ticks} more ticks, waits until every bot has received the last of
     * them (however late a busy machine delivers it) and returns the window since the last cut.
     */
    private SwarmStats playTicks(BotSwarm swarm, int ticks) {
        waitForTicks(ticks);
        awaitEveryBotReceived(swarm, server.counters().tick());
        return swarm.cutWindow();
    }

    private static void awaitEveryBotReceived(BotSwarm swarm, long tick) {
        await().atMost(PATIENCE).until(swarm::newestTickOfEveryBot, newest -> newest >= tick);
    }

    /**
     * Each bot received exactly one update per tick of {@code window}: as many updates as ticks
     * between the newest tick it had at the previous cut and the newest it has now (none lost, none
     * twice), and at least {@code ticks} of them.
     */
    private static void assertOneUpdatePerTick(SwarmStats previous, SwarmStats window, long ticks) {
        for (BotStats bot : window.bots()) {
            long before = previous.bots().get(bot.botIndex()).highestTick();
            assertThat(previous.bots().get(bot.botIndex()).name()).isEqualTo(bot.name());
            assertThat(bot.updatesReceived())
                    .as("updates to %s, ticks %d..%d", bot.name(), before + 1, bot.highestTick())
                    .isEqualTo(bot.highestTick() - before)
                    .isGreaterThanOrEqualTo(ticks);
        }
    }

    private void waitForTicks(int ticks) {
        long target = server.counters().tick() + ticks;
        await().atMost(PATIENCE).until(() -> server.counters().tick() >= target);
    }

    private static void sendInput(DatagramSocket socket, InetSocketAddress to, ClientPacket p)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ClientPacket.SIZE);
        p.encode(buf);
        socket.send(new DatagramPacket(buf.array(), buf.position(), to));
    }
}
