package io.livezone.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.core.BootImage;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.IncomingTicket;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.ApiException;
import io.livezone.qemu.ZoneDriver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The agent over a driver whose suspend takes as long as the test wants: a long suspend of one zone
 * holds up nothing of another, while the zone itself is busy (no second hibernation, no migration,
 * and the zone watch leaves it alone) until it ends.
 */
class ZoneOperationsTest {
    @TempDir Path state;

    /** Each call on its own thread (the common pool may have one thread on a 2-core machine). */
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    private final CountDownLatch finishSuspend = new CountDownLatch(1);
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();
    private Agent agent;

    @AfterEach
    void tearDown() {
        finishSuspend.countDown();
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void aLongSuspendOfOneZoneHoldsUpNothingOfAnother() throws Exception {
        agent =
                new Agent(
                        "h1",
                        "eu",
                        InetAddress.getLoopbackAddress(),
                        state,
                        driver(),
                        new BootImage.Kernel(Path.of("/k"), Path.of("/i")),
                        new StreamTunnels());
        CompletableFuture<ZoneStatus> suspend =
                CompletableFuture.supplyAsync(() -> agent.suspend("arena"), threads);
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.isMoving("arena"));

        CompletableFuture.runAsync(() -> agent.stop("lobby"), threads).get(2, TimeUnit.SECONDS);
        assertThat(stopped).containsExactly("lobby");
        assertThat(agent.isMoving("lobby")).isFalse();

        assertThatThrownBy(() -> agent.suspend("arena"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThatThrownBy(
                        () ->
                                agent.migrateOut(
                                        "arena",
                                        new MigrateOutRequest(
                                                new IncomingTicket(
                                                        "arena", "eu", "127.0.0.1", 7000),
                                                MigrationSettings.DEFAULT,
                                                LinkSettings.NONE)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(409));

        finishSuspend.countDown();
        assertThat(suspend.get(5, TimeUnit.SECONDS).state()).isEqualTo(ZoneState.SUSPENDED);
        assertThat(agent.isMoving("arena")).isFalse();
    }

    /** A driver of two zones whose suspend lasts until {@link #finishSuspend} opens. */
    private ZoneDriver driver() {
        return (ZoneDriver)
                Proxy.newProxyInstance(
                        ZoneDriver.class.getClassLoader(),
                        new Class<?>[] {ZoneDriver.class},
                        (proxy, method, args) ->
                                switch (method.getName()) {
                                    case "zoneNames" -> List.of("arena", "lobby");
                                    case "disk" -> Optional.empty();
                                    case "suspend" -> {
                                        finishSuspend.await();
                                        yield null;
                                    }
                                    case "stop" -> {
                                        stopped.add((String) args[0]);
                                        yield null;
                                    }
                                    case "status" ->
                                            new ZoneStatus(
                                                    (String) args[0],
                                                    ZoneState.SUSPENDED,
                                                    "-",
                                                    OptionalLong.empty(),
                                                    "suspended");
                                    default ->
                                            throw new UnsupportedOperationException(
                                                    method.getName());
                                });
    }
}
