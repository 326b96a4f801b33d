package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.core.MemorySize;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;
import io.livezone.core.ZoneSpec;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.lab.LocalZoneLab;
import io.livezone.qemu.IncomingMigration;
import io.livezone.qemu.PostcopyInterruptedException;
import io.livezone.qemu.PostcopyState;
import io.livezone.qemu.QemuZoneDriver;
import io.livezone.qemu.qmp.QmpClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Real VMs: a post-copy whose stream is cut. Two QEMU processes stand for two hosts (two drivers,
 * one zone network); the migration stream runs through a {@link StreamRelay} on 127.0.0.1 capped at
 * a few MB/s, so post-copy lasts seconds. Each test boots its own small zone (TCG).
 */
class PostcopyRecoveryTest {
    private static final Logger log = LoggerFactory.getLogger(PostcopyRecoveryTest.class);
    private static final int TICK_HZ = 20;
    private static final long RELAY_RATE = 6L << 20;
    private static final Duration STALL = Duration.ofSeconds(3);

    /** Post-copy from the first second: the guest cannot converge through the capped relay. */
    private static final MigrationOptions POSTCOPY =
            MigrationOptions.DEFAULT.withPostcopy(true, Duration.ofSeconds(1));

    private static LocalZoneLab lab;
    private static QemuZoneDriver destinationHost;

    @BeforeAll
    static void open() {
        lab = LocalZoneLab.open("pcr");
        destinationHost =
                new QemuZoneDriver(lab.stateDir().resolve("d"), lab.network(), lab.accelerator());
    }

    @AfterAll
    static void cleanUp() {
        Path state = lab.stateDir();
        String network = lab.network().name();
        for (String zone : destinationHost.zoneNames()) {
            destinationHost.stop(zone);
        }
        lab.close();
        Leftovers.assertNoneFrom(state, network);
    }

    @Test
    void aCutPostcopyPausesWithoutResumingTheSourceAndRecoversThroughANewStream() throws Exception {
        ZoneSpec spec = boot("pcr1", 0);
        try (BotSwarm bot = players(spec)) {
            long tickBefore = bot.cutWindow().aggregate().highestTick();
            Path firstSocket = socket("in1");
            IncomingMigration arrival =
                    destinationHost.prepareIncoming(spec, POSTCOPY, firstSocket);
            try (StreamRelay first = StreamRelay.between(socket("out1"), firstSocket, RELAY_RATE)) {
                List<String> statuses = new CopyOnWriteArrayList<>();
                CompletableFuture<MigrationReport> migration = migrateOut(spec, first, statuses);
                awaitPostcopyFor(migration, statuses, Duration.ofMillis(1500));
                long cutAt = System.nanoTime();
                first.blackhole();

                assertThatThrownBy(() -> join(migration))
                        .isInstanceOf(PostcopyInterruptedException.class)
                        .hasMessageContaining("post-copy of zone 'pcr1' paused")
                        .hasMessageContaining("the destination holds the running zone")
                        .satisfies(
                                e -> {
                                    var p = (PostcopyInterruptedException) e;
                                    assertThat(p.outcome())
                                            .isEqualTo(PostcopyInterruptedException.Outcome.PAUSED);
                                    assertThat(p.recoverable()).isTrue();
                                });
                long pausedMillis = (System.nanoTime() - cutAt) / 1_000_000;
                log.info(
                        "post-copy cut to reported pause: {} ms (stall timeout {})",
                        pausedMillis,
                        STALL);
                assertThat(pausedMillis).isLessThan(STALL.toMillis() + 5_000);

                assertThat(lab.driver().postcopyState(spec.name())).isEqualTo(PostcopyState.PAUSED);
                assertThat(sourceRunState(spec)).isNotEqualTo("running");
                assertThat(arrival.runState()).isEqualTo("running");

                // Recovery: the destination listens again, the source resumes into a new stream.
                Path secondSocket = socket("in2");
                long recoverAt = System.nanoTime();
                String listening = arrival.recover("unix:" + secondSocket, Duration.ofSeconds(10));
                assertThat(listening).isEqualTo("unix:" + secondSocket);
                assertThat(arrival.postcopyState()).isEqualTo(PostcopyState.PAUSED);
                try (StreamRelay second =
                        StreamRelay.between(socket("out2"), secondSocket, RELAY_RATE)) {
                    MigrationReport report =
                            lab.driver()
                                    .resumePostcopyOut(
                                            spec.name(),
                                            second.uri(),
                                            p -> statuses.add(p.status()),
                                            STALL);
                    long recoveredMillis = (System.nanoTime() - recoverAt) / 1_000_000;
                    log.info(
                            "post-copy recovery (migrate-recover to completed): {} ms; report {}",
                            recoveredMillis,
                            report);
                    assertThat(report.postcopyUsed()).isTrue();
                }
            }
            destinationHost.commitIncoming(arrival, Duration.ofSeconds(60), Duration.ofSeconds(1));

            // Exactly one copy runs: the destination. The source is stopped for good.
            assertThat(sourceRunState(spec)).isNotEqualTo("running");
            assertThat(destinationRunState(spec)).isEqualTo("running");
            lab.driver().releaseMigrated(spec.name());

            // The bot's connection went quiet for the whole pause (its vCPU waited for pages):
            // a new player checks that the zone server answers and that its game time went on.
            try (BotSwarm after = players(spec)) {
                Thread.sleep(2000);
                var players = after.cutWindow().aggregate();
                assertThat(players.updatesReceived())
                        .as("updates from the recovered zone")
                        .isPositive();
                assertThat(players.highestTick())
                        .as("game time advanced")
                        .isGreaterThan(tickBefore);
            }
            assertThat(destinationHost.console(spec.name()))
                    .doesNotContain("BUG", "panic", "corruption");
        } finally {
            destinationHost.stop(spec.name());
        }
    }

    @Test
    void aDestinationKilledInPostcopyLeavesTheZoneAtRiskAndTheSourceStopped() throws Exception {
        ZoneSpec spec = boot("pcr2", 1);
        try {
            Path socket = socket("in3");
            IncomingMigration arrival = destinationHost.prepareIncoming(spec, POSTCOPY, socket);
            try (StreamRelay relay = StreamRelay.between(socket("out3"), socket, RELAY_RATE)) {
                List<String> statuses = new CopyOnWriteArrayList<>();
                CompletableFuture<MigrationReport> migration = migrateOut(spec, relay, statuses);
                awaitPostcopyFor(migration, statuses, Duration.ofMillis(1500));
                destinationHost.killActiveInstance(spec.name());

                // The source cannot tell a dead destination from a broken link: paused.
                assertThatThrownBy(() -> join(migration))
                        .isInstanceOf(PostcopyInterruptedException.class)
                        .satisfies(
                                e ->
                                        assertThat(((PostcopyInterruptedException) e).outcome())
                                                .isEqualTo(
                                                        PostcopyInterruptedException.Outcome
                                                                .PAUSED));
                // The recovery finds the destination gone: the zone is at risk.
                assertThat(arrival.postcopyState()).isEqualTo(PostcopyState.GONE);
                assertThatThrownBy(
                                () ->
                                        arrival.recover(
                                                "unix:" + socket("in4"), Duration.ofSeconds(5)))
                        .isInstanceOf(PostcopyInterruptedException.class)
                        .hasMessageContaining("zone is at risk")
                        .hasMessageContaining("source was NOT resumed")
                        .satisfies(
                                e ->
                                        assertThat(((PostcopyInterruptedException) e).outcome())
                                                .isEqualTo(
                                                        PostcopyInterruptedException.Outcome
                                                                .ZONE_AT_RISK));
                arrival.close();
            }
            Thread.sleep(2000);
            assertThat(lab.driver().postcopyState(spec.name())).isEqualTo(PostcopyState.PAUSED);
            assertThat(sourceRunState(spec))
                    .as("the source is never resumed")
                    .isNotEqualTo("running");
        } finally {
            lab.driver().stop(spec.name());
            destinationHost.stop(spec.name());
        }
    }

    private static ZoneSpec boot(String name, int n) {
        ZoneSpec spec = lab.zoneSpec(name, MemorySize.ofMiB(256), n, TICK_HZ);
        lab.driver().start(spec);
        lab.driver().awaitReady(spec.name(), Duration.ofMinutes(3));
        return spec;
    }

    private static BotSwarm players(ZoneSpec spec) throws Exception {
        BotSwarm swarm =
                BotSwarm.start(
                        lab.controlEndpoint(spec), 1, BotConfig.defaults().withNamePrefix("pc"));
        assertThat(swarm.awaitAllReceiving(Duration.ofSeconds(60))).isTrue();
        return swarm;
    }

    private static Path socket(String name) {
        return lab.stateDir().resolve(name + ".sock");
    }

    private static CompletableFuture<MigrationReport> migrateOut(
            ZoneSpec spec, StreamRelay relay, List<String> statuses) {
        return CompletableFuture.supplyAsync(
                () ->
                        lab.driver()
                                .migrateOut(
                                        spec.name(),
                                        relay.uri(),
                                        POSTCOPY,
                                        SwitchoverHook.NONE,
                                        SwitchoverHook.NONE,
                                        p -> statuses.add(p.status()),
                                        () -> false,
                                        STALL));
    }

    /** Waits until the source reports post-copy, then lets it run for {@code d}. */
    private static void awaitPostcopyFor(
            CompletableFuture<MigrationReport> migration, List<String> statuses, Duration d)
            throws InterruptedException {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> migration.isDone() || statuses.contains("postcopy-active"));
        if (migration.isDone()) {
            join(migration); // throws why it ended before post-copy
        }
        Thread.sleep(d.toMillis());
        assertThat(statuses.getLast()).as("still in post-copy").isEqualTo("postcopy-active");
    }

    private static MigrationReport join(CompletableFuture<MigrationReport> f) {
        try {
            return f.orTimeout(120, java.util.concurrent.TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static String sourceRunState(ZoneSpec spec) throws IOException {
        return runState(lab.stateDir().resolve("zones").resolve(spec.name()));
    }

    private static String destinationRunState(ZoneSpec spec) throws IOException {
        return runState(lab.stateDir().resolve("d/zones").resolve(spec.name()));
    }

    /** The run state of the zone's only QEMU under {@code zoneDir}, asked over its monitor. */
    private static String runState(Path zoneDir) throws IOException {
        List<Path> sockets = new ArrayList<>();
        try (Stream<Path> s = Files.walk(zoneDir, 2)) {
            s.filter(p -> p.getFileName().toString().equals("qmp.sock")).forEach(sockets::add);
        }
        assertThat(sockets).as("QEMU instances under %s", zoneDir).hasSize(1);
        try (QmpClient qmp = QmpClient.connect(sockets.get(0), Duration.ofSeconds(5))) {
            return qmp.execute("query-status").path("status").asText();
        }
    }
}
