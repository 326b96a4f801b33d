package io.livezone.coordinator.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.SiteLink;
import io.livezone.coordinator.registry.StorageTransferRecord;
import io.livezone.coordinator.registry.Store;
import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.BaseImageSend;
import io.livezone.core.cluster.BaseImageSpec;
import io.livezone.core.cluster.Heartbeat;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.http.ApiException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Base images and their site caches: created once, sent to a site once however many zones there ask
 * at the same time, every transfer recorded, and kept across a coordinator restart.
 */
class StorageServiceTest {
    private static final String SHA =
            "7aed05a9abdcae7e99b96596b1253041097804e420cbf7b3948186e5d8c64e35";
    private static final LinkSettings WAN = new LinkSettings(25, 1, 12_500_000);

    private final Store store = Store.inMemory();
    private final Registry registry = new Registry(store);
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final StorageService storage = new StorageService(registry, this::agent);

    StorageServiceTest() {
        registry.addSite("a");
        registry.addSite("b");
        registry.addHost("h1", "a", 1L << 30, 125_000_000);
        registry.addHost("h2", "b", 1L << 30, 125_000_000);
        registry.addHost("h3", "b", 1L << 30, 125_000_000);
        registry.putLink(new SiteLink("a", "b", WAN));
        for (String[] h : new String[][] {{"h1", "a"}, {"h2", "b"}, {"h3", "b"}}) {
            registry.heartbeat(
                    new Heartbeat(
                            h[0],
                            h[1],
                            "http://" + h[0] + ":7700",
                            0,
                            new HostLoad(0, 0, 1L << 30, 0, 0, List.of())),
                    System.currentTimeMillis());
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A fake agent that answers the storage calls and logs them as "host:call". */
    private AgentGateway agent(String host) {
        return (AgentGateway)
                Proxy.newProxyInstance(
                        AgentGateway.class.getClassLoader(),
                        new Class<?>[] {AgentGateway.class},
                        (proxy, method, args) -> {
                            calls.add(host + ":" + method.getName());
                            return switch (method.getName()) {
                                case "createBaseImage" -> {
                                    BaseImageSpec spec = (BaseImageSpec) args[0];
                                    yield new BaseImageInfo(
                                            spec.name(), SHA, "qcow2", spec.sizeMiB() << 20, 1234);
                                }
                                case "receiveBaseImage" -> {
                                    Thread.sleep(50); // let concurrent callers pile up
                                    yield new TransferTicket("b", host, 40000, false);
                                }
                                case "sendBaseImage" -> {
                                    BaseImageSend send = (BaseImageSend) args[0];
                                    assertThat(send.sha256()).isEqualTo(SHA);
                                    assertThat(send.link()).isEqualTo(WAN);
                                    yield new StorageTransfer("base", 1300, 1234, 40);
                                }
                                default ->
                                        throw new UnsupportedOperationException(method.getName());
                            };
                        });
    }

    @Test
    void aBaseReachesASiteOnceHoweverManyZonesThereAskAtOnce() throws Exception {
        var view = storage.createImage(new StorageService.CreateImage("world", "a", 32L));
        assertThat(view.sites()).containsExactly("a");
        assertThat(calls).containsExactly("h1:createBaseImage");

        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> asks = new ArrayList<>();
        for (String zone : List.of("z1", "z2", "z3", "z4")) {
            asks.add(
                    pool.submit(
                            () -> {
                                go.await();
                                storage.ensureBase("world", zone.equals("z4") ? "h3" : "h2", zone);
                                return null;
                            }));
        }
        go.countDown();
        for (Future<?> f : asks) {
            f.get();
        }
        pool.shutdown();

        assertThat(calls).containsOnlyOnce("h1:sendBaseImage");
        assertThat(calls.stream().filter(c -> c.endsWith(":receiveBaseImage"))).hasSize(1);
        assertThat(registry.imageSites("world")).containsExactly("a", "b");
        List<StorageTransferRecord> transfers = registry.transfers();
        assertThat(transfers).hasSize(1);
        StorageTransferRecord t = transfers.get(0);
        assertThat(t.kind()).isEqualTo("base");
        assertThat(t.fromSite()).isEqualTo("a");
        assertThat(t.toSite()).isEqualTo("b");
        assertThat(t.crossesSites()).isTrue();
        assertThat(t.wireBytes()).isEqualTo(1300);
        assertThat(storage.view().interSiteWireBytes()).isEqualTo(1300);

        // The site already caches it: nothing to do, also for the site it was created at.
        calls.clear();
        storage.ensureBase("world", "h3", "z5");
        storage.ensureBase("world", "h1", "z6");
        assertThat(calls).isEmpty();
    }

    @Test
    void imagesCachesAndTransfersSurviveACoordinatorRestart() throws Exception {
        Path dir = Files.createTempDirectory("lz-storage");
        try {
            Store first = Store.open(dir.resolve("db"));
            Registry before = new Registry(first);
            before.addSite("a");
            before.addSite("b");
            before.putImage(
                    new io.livezone.coordinator.registry.BaseImageRecord(
                            "world", SHA, "qcow2", 32L << 20, 1234, "a", 1));
            before.addImageSite("world", "a");
            before.addImageSite("world", "b");
            before.addTransfer(
                    new StorageTransferRecord(
                            0, "base", "z1", "world", "h1", "h2", "a", "b", 1300, 1234, 40, 2));
            first.close();

            Store second = Store.open(dir.resolve("db"));
            Registry after = new Registry(second);
            assertThat(after.findImage("world")).isPresent();
            assertThat(after.siteCaches("world", "b")).isTrue();
            assertThat(after.transfers())
                    .singleElement()
                    .satisfies(t -> assertThat(t.id()).isPositive());
            second.close();
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void badDiskRequestsAreRejectedBeforeAnythingHappens() {
        storage.createImage(new StorageService.CreateImage("world", "a", 32L));
        calls.clear();
        assertThatThrownBy(
                        () ->
                                storage.plan(
                                        new StorageService.DiskRequest("nosuch", null, null, true),
                                        "h1"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown base image 'nosuch'");
        assertThatThrownBy(
                        () ->
                                storage.plan(
                                        new StorageService.DiskRequest("world", 16L, null, true),
                                        "h1"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("smaller than its base image world (32 MiB)");
        assertThatThrownBy(
                        () ->
                                storage.plan(
                                        new StorageService.DiskRequest("world", null, "h9", true),
                                        "h1"))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("unknown host 'h9'");
        assertThatThrownBy(
                        () -> storage.createImage(new StorageService.CreateImage("world", "a", 8L)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(
                        () -> storage.createImage(new StorageService.CreateImage("big", "zz", 8L)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown site 'zz'");
        assertThat(calls).isEmpty();

        var planned = storage.plan(new StorageService.DiskRequest("world", null, "h1", null), "h1");
        assertThat(planned.storageHost()).as("the zone's own host: a local disk").isNull();
        assertThat(planned.definition().sizeMiB()).isEqualTo(32);
        assertThat(planned.definition().imageSha256()).isEqualTo(SHA);
        assertThat(planned.definition().writer()).isFalse();
        var remote = storage.plan(new StorageService.DiskRequest(null, null, "h2", true), "h1");
        assertThat(remote.storageHost()).isEqualTo("h2");
        assertThat(remote.definition().sizeMiB()).isEqualTo(64);
    }
}
