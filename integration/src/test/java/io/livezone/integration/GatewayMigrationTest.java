package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.bots.clients.RedisCli;
import io.livezone.core.MemorySize;
import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationOptions;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneState;
import io.livezone.dve.bot.AggregateStats;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.dve.bot.EchoSession;
import io.livezone.dve.bot.ZoneQuery;
import io.livezone.dve.server.InputDelivery;
import io.livezone.gateway.DatagramCheck;
import io.livezone.gateway.GatewayConfig;
import io.livezone.gateway.HoldHandle;
import io.livezone.gateway.HoldLimitException;
import io.livezone.gateway.HoldProblem;
import io.livezone.gateway.ZoneEndpoint;
import io.livezone.gateway.ZoneLocation;
import io.livezone.gateway.ZoneTraffic;
import io.livezone.gateway.latency.RegionLatency;
import io.livezone.lab.LabGateway;
import io.livezone.lab.LocalZoneLab;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real zone VM behind the gateway, with bots and a checksummed TCP echo session playing through
 * it: migrations lose no client datagram and keep the TCP session intact, and a switchover that
 * holds the players for too long is aborted with the source serving on and nothing lost. One 192
 * MiB guest booted once for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayMigrationTest {
    private static final int BOTS = 8;
    private static final Duration PROBE = Duration.ofSeconds(10);
    private static final Duration SETTLE = Duration.ofMillis(1500);
    private static final int REDIS_PORT = 6379;

    private static LocalZoneLab lab;
    private static ZoneSpec spec;
    private static LabGateway gateway;
    private static BotSwarm swarm;

    @BeforeAll
    static void bootZoneBehindTheGateway() throws Exception {
        lab = LocalZoneLab.open("gmt");
        spec =
                lab.zoneSpec(
                        "arena",
                        MemorySize.ofMiB(192),
                        0,
                        new ZoneApp(7000, 7001, 20).withRedis(REDIS_PORT));
        lab.driver().start(spec);
        lab.driver().awaitReady(spec.name(), Duration.ofMinutes(3));
        gateway = LabGateway.start(lab, spec, "site-a", config(Duration.ofSeconds(5)));
        swarm =
                BotSwarm.start(
                        gateway.endpoint().tcp(), BOTS, BotConfig.defaults().withNamePrefix("gw"));
        assertThat(swarm.awaitAllReceiving(Duration.ofSeconds(60)))
                .as("all bots receive updates through the gateway")
                .isTrue();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Path state = lab.stateDir();
        String network = lab.network().name();
        InetSocketAddress endpoint = gateway == null ? null : gateway.endpoint().udp();
        if (swarm != null) {
            swarm.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        lab.close();
        Leftovers.assertNoneFrom(state, network);
        if (endpoint != null) {
            assertEndpointFree(endpoint);
        }
    }

    @Test
    @Order(1)
    void migrationsThroughTheGatewayLoseNoClientDatagramAndKeepTheTcpSessionIntact()
            throws Exception {
        EchoSession echo =
                EchoSession.open(gateway.endpoint().tcp(), 7, 1024, Duration.ofMillis(20), PROBE);
        try {
            Thread.sleep(SETTLE);
            swarm.cutWindow();
            assertThat(ZoneQuery.inputs(gateway.zoneControl(), PROBE).missing())
                    .as("client datagrams lost before any migration")
                    .isZero();
            String[] sites = {"site-b", "site-b", "site-a"};
            long held = 0;
            for (String site : sites) {
                LabGateway.Move move =
                        gateway.migrate(site, MigrationOptions.DEFAULT, progress -> {});
                HoldHandle hold = move.hold().orElseThrow();
                assertThat(hold.isReleased()).isTrue();
                assertThat(hold.abortRequired()).isFalse();
                assertThat(hold.droppedPackets()).isZero();
                assertThat(move.releasedAtHandover())
                        .as("released at the hand-over, before the source is torn down")
                        .isTrue();
                assertThat(gateway.site()).isEqualTo(site);
                held += hold.totalHeldPackets() + hold.replayedPackets();
                Thread.sleep(SETTLE);
                assertThat(ZoneQuery.inputs(gateway.zoneControl(), PROBE))
                        .as("inputs after the move to %s (%s, %s)", site, move.report(), hold)
                        .extracting(InputDelivery::missing, InputDelivery::late)
                        .containsExactly(0L, 0L);
            }
            assertThat(gateway.gateway().location(spec.name()).orElseThrow().site())
                    .isEqualTo("site-a");

            AggregateStats players = swarm.cutWindow().aggregate();
            assertThat(players.disconnected()).as("bots disconnected").isZero();
            assertThat(players.tickContinuityOk()).isTrue();
            assertThat(players.updatesReceived()).isPositive();

            // Every input datagram of every bot reached the zone server, in order per bot.
            InputDelivery inputs = ZoneQuery.inputs(gateway.zoneControl(), PROBE);
            assertThat(inputs.sessions()).isEqualTo(BOTS);
            assertThat(inputs.received()).isPositive();
            assertThat(inputs.missing()).as("client datagrams lost").isZero();
            assertThat(inputs.late()).as("client datagrams out of order").isZero();
            assertThat(inputs.tooOld()).isZero();
            ZoneTraffic traffic = gateway.gateway().traffic(spec.name());
            assertThat(held).as("datagrams held or replayed at the switchovers").isPositive();
            assertThat(inputs.duplicates())
                    .as("duplicates only from the gateway's replays")
                    .isLessThanOrEqualTo(traffic.replayedUdp());
            assertThat(traffic.droppedHoldOverflow()).isZero();
            assertThat(traffic.droppedSendFailed()).isZero();
            assertThat(traffic.droppedFlowClosed()).isZero();
            assertThat(traffic.udpSessions()).isEqualTo(BOTS);

            assertThat(echo.stats().intact()).as(echo.stats().toString()).isTrue();
        } finally {
            EchoSession.Stats done = echo.finish(PROBE);
            assertThat(done.complete()).as("echo stream: %s", done).isTrue();
            assertThat(done.crcEchoed()).isEqualTo(done.crcSent());
            assertThat(done.bytesEchoed()).isGreaterThan(50_000);
        }
    }

    /**
     * A second gateway in front of the same zone whose holds may last only 20 ms, and a switchover
     * step that takes 200 ms: the hold expires while the source is paused, the hook aborts the
     * migration, and everything held goes back to the source, which keeps serving.
     */
    @Test
    @Order(2)
    void aHoldThatExpiresAbortsTheMigrationAndTheSourceKeepsServingWithNothingLost()
            throws Exception {
        String before = lab.driver().status(spec.name()).instance();
        String site = gateway.site();
        try (LabGateway impatient =
                        LabGateway.start(lab, spec, site, config(Duration.ofMillis(20)));
                BotSwarm players =
                        BotSwarm.start(
                                impatient.endpoint().tcp(),
                                4,
                                BotConfig.defaults().withNamePrefix("imp"))) {
            assertThat(players.awaitAllReceiving(Duration.ofSeconds(60))).isTrue();
            EchoSession echo =
                    EchoSession.open(
                            impatient.endpoint().tcp(), 9, 1024, Duration.ofMillis(20), PROBE);
            Thread.sleep(SETTLE);
            players.cutWindow();
            swarm.cutWindow();
            long missingBefore = ZoneQuery.inputs(impatient.zoneControl(), PROBE).missing();

            assertThatThrownBy(
                            () ->
                                    impatient.migrate(
                                            "site-b",
                                            MigrationOptions.DEFAULT,
                                            progress -> {},
                                            zone -> Thread.sleep(200)))
                    .isInstanceOf(MigrationFailedException.class)
                    .hasMessageContaining("keeps running at its source")
                    .hasRootCauseInstanceOf(HoldLimitException.class)
                    .satisfies(
                            e -> {
                                var failure = (LabGateway.LabMigrationFailedException) e;
                                assertThat(failure.sourceStillRunning()).isTrue();
                                HoldHandle hold = failure.hold().orElseThrow();
                                assertThat(hold.problem()).contains(HoldProblem.EXPIRED);
                                assertThat(hold.isReleased()).isTrue();
                                assertThat(hold.droppedPackets()).isZero();
                                assertThat(hold.totalHeldPackets()).isPositive();
                            });

            var status = lab.driver().status(spec.name());
            assertThat(status.instance()).as("the source instance").isEqualTo(before);
            assertThat(status.state()).isEqualTo(ZoneState.RUNNING);
            assertThat(impatient.site()).isEqualTo(site);
            assertThat(impatient.gateway().location(spec.name()).orElseThrow())
                    .isEqualTo(impatient.location(site));
            assertThat(Leftovers.filesUnder(lab.stateDir().resolve("zones/arena")))
                    .as("no destination instance left")
                    .noneMatch(f -> f.matches(".*/i\\d+/.*") && !f.contains("/" + before + "/"));

            Thread.sleep(SETTLE);
            for (AggregateStats s :
                    new AggregateStats[] {
                        players.cutWindow().aggregate(), swarm.cutWindow().aggregate()
                    }) {
                assertThat(s.updatesReceived()).as("updates after the abort").isPositive();
                assertThat(s.disconnected()).isZero();
                assertThat(s.tickContinuityOk()).isTrue();
            }
            InputDelivery inputs = ZoneQuery.inputs(impatient.zoneControl(), PROBE);
            assertThat(inputs.missing())
                    .as(
                            "client datagrams lost (%s; %s)",
                            inputs, impatient.gateway().traffic(spec.name()))
                    .isEqualTo(missingBefore);
            assertThat(inputs.late()).isZero();
            ZoneTraffic traffic = impatient.gateway().traffic(spec.name());
            assertThat(traffic.heldUdp()).isPositive();
            assertThat(traffic.droppedHoldOverflow()).isZero();
            EchoSession.Stats done = echo.finish(PROBE);
            assertThat(done.complete()).as("echo stream: %s", done).isTrue();
        }
    }

    /**
     * Debian's Redis server runs unmodified in the same zone VM, and Debian's own {@code redis-cli}
     * on the host talks to it through a gateway endpoint: two long-lived clients keep their one TCP
     * connection each across three live migrations, with no error and no reconnect (the server's
     * own connection count says so), and the counter they drive skips nothing.
     */
    @Test
    @Order(3)
    void anOffTheShelfServerKeepsItsClientsConnectionsAcrossMigrations() throws Exception {
        InetAddress guest = spec.nic().address().address();
        InetSocketAddress redis = new InetSocketAddress(guest, REDIS_PORT);
        ZoneEndpoint endpoint =
                gateway.gateway()
                        .addZone("arena-redis", new ZoneLocation(redis, redis, gateway.site()));
        InetSocketAddress at = endpoint.tcp();
        try {
            long connectionsBefore = RedisCli.totalConnections(at);
            try (RedisCli counter = RedisCli.repeat(at, 0.05, "INCR", "lz:ticks");
                    RedisCli pinger = RedisCli.repeat(at, 0.1, "PING")) {
                counter.awaitLines(10, Duration.ofSeconds(30));
                pinger.awaitLines(5, Duration.ofSeconds(30));
                for (String site : new String[] {"site-b", "site-a", "site-b"}) {
                    gateway.migrate(site, MigrationOptions.DEFAULT, progress -> {});
                    long seen = counter.lines().size();
                    counter.awaitLines(seen + 10, Duration.ofSeconds(30));
                }
                pinger.awaitLines(pinger.lines().size() + 5, Duration.ofSeconds(30));
                assertThat(counter.isAlive()).as("redis-cli INCR still running").isTrue();
                assertThat(pinger.isAlive()).as("redis-cli PING still running").isTrue();
                assertThat(counter.errors()).as("redis-cli INCR stderr").isEmpty();
                assertThat(pinger.errors()).as("redis-cli PING stderr").isEmpty();
                assertThat(pinger.lines()).as("PING replies").allMatch("PONG"::equals);
                List<String> counts = counter.lines();
                for (int i = 1; i < counts.size(); i++) {
                    assertThat(Long.parseLong(counts.get(i)))
                            .as("INCR reply %d of %s", i, counts)
                            .isEqualTo(Long.parseLong(counts.get(0)) + i);
                }
            }
            // The two clients above plus this query: no client connected a second time.
            assertThat(RedisCli.totalConnections(at)).isEqualTo(connectionsBefore + 3);
        } finally {
            gateway.gateway().removeZone("arena-redis");
        }
    }

    private static GatewayConfig config(Duration maxHold) {
        return GatewayConfig.defaults().toBuilder()
                .rewriteWelcomeUdpPort(true)
                .datagramCheck(DatagramCheck.LIVEZONE_HEADER)
                .regionLatency(
                        RegionLatency.builder()
                                .oneWay("default", "site-a", Duration.ofMillis(2))
                                .oneWay("default", "site-b", Duration.ofMillis(10))
                                .build())
                .switchoverReplay(Duration.ofMillis(250))
                .maxHold(maxHold)
                .build();
    }

    /** The gateway let go of its endpoint: both protocols can bind the port again. */
    private static void assertEndpointFree(InetSocketAddress endpoint) throws IOException {
        try (DatagramSocket udp = new DatagramSocket(endpoint);
                ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(true);
            tcp.bind(endpoint);
            assertThat(udp.getLocalPort()).isEqualTo(endpoint.getPort());
        }
    }
}
