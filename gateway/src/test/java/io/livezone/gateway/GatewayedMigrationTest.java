package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationListener;
import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The glue between a migration and the gateway, with a stand-in migration (the real one, with QEMU,
 * runs in the integration tests): what the hook holds, when the hold is released and where to, and
 * how an abort brings everything back to the source.
 */
class GatewayedMigrationTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final int PLAYERS = 10;

    @Test
    void theHoldIsReleasedToTheDestinationAtHandOverBeforeTheMigrationCallReturns()
            throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone source = UdpEchoZone.start();
                UdpEchoZone destination = UdpEchoZone.start();
                UdpPlayers players = UdpPlayers.connect(PLAYERS, endpoint(gateway, source))) {
            players.sendRound();
            await().atMost(PATIENCE).until(() -> players.received() == PLAYERS);
            ZoneLocation there = destination.location("site-b");
            GatewayedMigration migration = new GatewayedMigration(gateway, "z1", there);
            AtomicReference<Long> receivedWhenCallEnds = new AtomicReference<>();
            List<String> statuses = new ArrayList<>();
            MigrationReport report =
                    migration
                            .listener(p -> statuses.add(p.status()))
                            .run(
                                    checked(
                                            (hook, listener) -> {
                                                listener.onProgress(progress("active"));
                                                hook.atSwitchover("z1");
                                                players.sendRound();
                                                players.sendRound();
                                                await().atMost(PATIENCE)
                                                        .until(
                                                                () ->
                                                                        migration
                                                                                        .hold()
                                                                                        .orElseThrow()
                                                                                        .heldPackets()
                                                                                == 2 * PLAYERS);
                                                listener.onProgress(progress("completed"));
                                                // The source's tear-down: the held traffic is
                                                // already
                                                // on its way to the destination.
                                                await().atMost(PATIENCE)
                                                        .until(
                                                                () ->
                                                                        destination.received()
                                                                                == 2 * PLAYERS);
                                                receivedWhenCallEnds.set(destination.received());
                                                return report();
                                            }));
            assertThat(report.zone()).isEqualTo("z1");
            assertThat(receivedWhenCallEnds.get()).isEqualTo(2 * PLAYERS);
            assertThat(migration.releasedAtHandover()).isTrue();
            assertThat(statuses).containsExactly("active", "completed");
            HoldHandle hold = migration.hold().orElseThrow();
            assertThat(hold.isReleased()).isTrue();
            assertThat(hold.totalHeldPackets()).isEqualTo(2 * PLAYERS);
            assertThat(hold.abortRequired()).isFalse();
            assertThat(gateway.location("z1")).contains(there);
            await().atMost(PATIENCE).until(() -> players.received() == players.sent());
            players.assertAllEchoedInOrder();
            assertThat(source.received()).isEqualTo(PLAYERS);
        }
    }

    @Test
    void aHoldThatExpiresDuringTheSwitchoverAbortsTheMigrationAndGoesBackToTheSource()
            throws Exception {
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder().maxHold(Duration.ofMillis(50)).build();
        try (Gateway gateway = Gateway.start(config);
                UdpEchoZone source = UdpEchoZone.start();
                UdpEchoZone destination = UdpEchoZone.start();
                UdpPlayers players = UdpPlayers.connect(PLAYERS, endpoint(gateway, source))) {
            ZoneLocation here = gateway.location("z1").orElseThrow();
            GatewayedMigration migration =
                    new GatewayedMigration(gateway, "z1", destination.location("site-b"))
                            .alsoAtSwitchover(
                                    zone -> {
                                        // A slow switchover step while players keep sending.
                                        for (int i = 0; i < 10; i++) {
                                            players.sendRound();
                                            Thread.sleep(20);
                                        }
                                    });
            assertThatThrownBy(() -> migration.run(GatewayedMigrationTest::abortableMigration))
                    .isInstanceOf(MigrationFailedException.class)
                    .cause()
                    .isInstanceOf(HoldLimitException.class)
                    .hasMessageContaining("longer than maxHold 50 ms")
                    .hasMessageContaining("aborting the migration");
            HoldHandle hold = migration.hold().orElseThrow();
            assertThat(hold.problem()).contains(HoldProblem.EXPIRED);
            assertThat(hold.isReleased()).isTrue();
            assertThat(hold.droppedPackets()).isZero();
            assertThat(gateway.location("z1")).contains(here);
            await().atMost(PATIENCE).until(() -> players.received() == players.sent());
            players.assertAllEchoedInOrder();
            assertThat(source.received()).isEqualTo(10 * PLAYERS);
            assertThat(destination.received()).isZero();
        }
    }

    @Test
    void aFailedMigrationReleasesBackToTheSourceAndRethrows() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone source = UdpEchoZone.start();
                UdpEchoZone destination = UdpEchoZone.start();
                UdpPlayers players = UdpPlayers.connect(PLAYERS, endpoint(gateway, source))) {
            GatewayedMigration migration =
                    new GatewayedMigration(gateway, "z1", destination.location("site-b"));
            MigrationFailedException failure =
                    new MigrationFailedException("destination died", true, null);
            assertThatThrownBy(
                            () ->
                                    migration.run(
                                            checked(
                                                    (hook, listener) -> {
                                                        hook.atSwitchover("z1");
                                                        players.sendRound();
                                                        await().atMost(PATIENCE)
                                                                .until(
                                                                        () ->
                                                                                migration
                                                                                                .hold()
                                                                                                .orElseThrow()
                                                                                                .heldPackets()
                                                                                        == PLAYERS);
                                                        throw failure;
                                                    })))
                    .isSameAs(failure);
            await().atMost(PATIENCE).until(() -> players.received() == PLAYERS);
            assertThat(source.received()).isEqualTo(PLAYERS);
            assertThat(destination.received()).isZero();
            assertThat(migration.hold().orElseThrow().isReleased()).isTrue();
            assertThatThrownBy(() -> migration.run((hook, listener) -> report()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aMigrationWithoutSwitchoverPauseJustRetargetsWhenItReturns() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfig.loopback());
                UdpEchoZone source = UdpEchoZone.start();
                UdpEchoZone destination = UdpEchoZone.start()) {
            gateway.addZone("z1", source.location("site-a"));
            GatewayedMigration migration =
                    new GatewayedMigration(gateway, "z1", destination.location("site-b"));
            migration.run(
                    (hook, listener) -> {
                        listener.onProgress(progress("completed"));
                        return report();
                    });
            assertThat(migration.hold()).isEmpty();
            assertThat(migration.releasedAtHandover()).isFalse();
            assertThat(gateway.location("z1")).contains(destination.location("site-b"));
        }
    }

    /**
     * The moment between a source VM's stop and the hold: datagrams that reach the stopped source
     * are lost with it. With switchoverReplay the gateway sends the last moments again ahead of the
     * held traffic, so every datagram reaches a running zone, and the destination sees each
     * player's datagrams in order (some twice: a zone protocol that uses replay discards repeats).
     */
    @Test
    void replayCoversDatagramsThatReachedTheStoppedSourceBeforeTheHold() throws Exception {
        GatewayConfig config =
                GatewayConfig.loopback().toBuilder()
                        .switchoverReplay(Duration.ofMillis(300))
                        .maxHold(Duration.ofMinutes(1))
                        .build();
        try (Gateway gateway = Gateway.start(config);
                RecordingZone source = new RecordingZone();
                RecordingZone destination = new RecordingZone()) {
            ZoneEndpoint endpoint = gateway.addZone("z1", ZoneLocation.of(source.address, "a"));
            AtomicBoolean sending = new AtomicBoolean(true);
            try (UdpPlayers players = UdpPlayers.connect(PLAYERS, endpoint.udp())) {
                Thread sender =
                        Thread.ofPlatform()
                                .start(
                                        () -> {
                                            while (sending.get()) {
                                                try {
                                                    players.sendRound();
                                                    Thread.sleep(5);
                                                } catch (Exception e) {
                                                    throw new IllegalStateException(e);
                                                }
                                            }
                                        });
                await().atMost(PATIENCE).until(() -> source.total() > 20 * PLAYERS);
                source.stop(); // the VM stops; what arrives from now on dies with it
                Thread.sleep(40); // QEMU reports the stop, the driver calls the hook
                GatewayedMigration migration =
                        new GatewayedMigration(
                                gateway, "z1", ZoneLocation.of(destination.address, "b"));
                migration.run(
                        checked(
                                (hook, listener) -> {
                                    hook.atSwitchover("z1");
                                    Thread.sleep(30);
                                    listener.onProgress(progress("completed"));
                                    return report();
                                }));
                await().atMost(PATIENCE).until(() -> destination.total() > 20 * PLAYERS);
                sending.set(false);
                sender.join();
                HoldHandle hold = migration.hold().orElseThrow();
                long expected = players.sent() + hold.replayedPackets();
                await().atMost(PATIENCE).until(() -> gateway.traffic("z1").udpToZone() == expected);
                await().atMost(PATIENCE)
                        .until(
                                () ->
                                        source.lost() + source.total() + destination.total()
                                                == expected);

                assertThat(hold.replayedPackets()).isPositive();
                assertThat(source.lost()).as("datagrams the stopped source swallowed").isPositive();
                for (int player = 0; player < PLAYERS; player++) {
                    List<Integer> there = destination.seqs(player);
                    assertThat(there)
                            .as("player %d at the destination: in order, once each", player)
                            .isSorted()
                            .doesNotHaveDuplicates();
                    TreeSet<Integer> all = new TreeSet<>(source.seqs(player));
                    all.addAll(there);
                    assertThat(all.first()).isZero();
                    assertThat(all)
                            .as("player %d: every datagram reached a running zone", player)
                            .hasSize(all.last() + 1);
                }
                ZoneTraffic traffic = gateway.traffic("z1");
                assertThat(traffic.replayedUdp()).isEqualTo(hold.replayedPackets());
                assertThat(traffic.droppedHoldOverflow()).isZero();
                assertThat(traffic.udpToZone()).isEqualTo(players.sent() + hold.replayedPackets());
            } finally {
                sending.set(false);
            }
        }
    }

    private static ZoneEndpoint endpointOf(Gateway gateway) {
        return gateway.endpoint("z1").orElseThrow();
    }

    private static InetSocketAddress endpoint(Gateway gateway, UdpEchoZone source) {
        gateway.addZone("z1", source.location("site-a"));
        return endpointOf(gateway).udp();
    }

    /** A stand-in migration that may throw what test code throws. */
    @FunctionalInterface
    private interface ThrowingMigration {
        MigrationReport run(SwitchoverHook hook, MigrationListener listener) throws Exception;
    }

    private static GatewayedMigration.Migration checked(ThrowingMigration m) {
        return (hook, listener) -> {
            try {
                return m.run(hook, listener);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** Runs the hook like LiveMigration does: a throwing hook aborts, the source resumes. */
    private static MigrationReport abortableMigration(
            SwitchoverHook hook, MigrationListener listener) {
        try {
            hook.atSwitchover("z1");
        } catch (Exception e) {
            throw new MigrationFailedException(
                    "migration of zone 'z1' failed: switchover hook failed: "
                            + e.getMessage()
                            + "; the zone keeps running at its source",
                    true,
                    e);
        }
        listener.onProgress(progress("completed"));
        return report();
    }

    private static MigrationProgress progress(String status) {
        return new MigrationProgress("z1", status, 1, 1, 0, 1, 1, 1, 0);
    }

    private static MigrationReport report() {
        return new MigrationReport("z1", "i1", "i2", 1, 10, 10, 1, 1, 1, 1, 1, 1, false, 0);
    }

    /**
     * A zone that records each player's sequence numbers (UdpPlayers' format) in arrival order;
     * once stopped, it swallows what arrives, like a paused VM whose queue dies with it.
     */
    private static final class RecordingZone implements AutoCloseable {
        final InetSocketAddress address;
        private final DatagramChannel channel;
        private final Map<Integer, List<Integer>> seqs = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean stopped;
        private volatile long total;
        private volatile long lost;

        RecordingZone() throws IOException {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
            // The release after a hold is a burst: room for all of it.
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            address = (InetSocketAddress) channel.getLocalAddress();
            thread = Thread.ofPlatform().daemon().start(this::run);
        }

        void stop() {
            stopped = true;
        }

        long total() {
            return total;
        }

        long lost() {
            return lost;
        }

        List<Integer> seqs(int player) {
            List<Integer> list = seqs.getOrDefault(player, List.of());
            synchronized (list) {
                return List.copyOf(list);
            }
        }

        private void run() {
            ByteBuffer b = ByteBuffer.allocate(2048);
            while (channel.isOpen()) {
                try {
                    b.clear();
                    SocketAddress from = channel.receive(b);
                    b.flip();
                    if (stopped) {
                        lost++;
                        continue;
                    }
                    int player = b.getInt();
                    int seq = b.getInt();
                    List<Integer> list = seqs.computeIfAbsent(player, p -> new ArrayList<>());
                    synchronized (list) {
                        list.add(seq);
                    }
                    total++;
                    b.rewind();
                    channel.send(b, from);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    // keep going
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
