package io.livezone.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.core.BootImage;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.LiveZoneException;
import io.livezone.core.MacAddress;
import io.livezone.core.MemorySize;
import io.livezone.core.NicSpec;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneSpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The driver locks per zone: a long suspend of one zone (its save to a file takes minutes on a big
 * VM) holds up nothing of another zone, while a second operation on the same zone waits for it. No
 * QEMU: a stand-in process and a stand-in monitor that accepts the save and finishes it only when
 * the test says so.
 */
class ZoneLockingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path state;

    /** Each call on its own thread (the common pool may have one thread on a 2-core machine). */
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @TempDir Path images;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final CountDownLatch finishSave = new CountDownLatch(1);
    private final CountDownLatch saving = new CountDownLatch(1);
    private Process qemu;

    @AfterEach
    void tearDown() throws Exception {
        finishSave.countDown();
        for (AutoCloseable c : open) {
            c.close();
        }
        if (qemu != null) {
            qemu.destroyForcibly().waitFor();
        }
    }

    @Test
    void aLongSuspendOfOneZoneDoesNotHoldUpAnotherZonesStop() throws Exception {
        QemuZoneDriver driver = new QemuZoneDriver(state, null, Accelerator.TCG);
        runningZone("arena", "10.9.0.10/24");
        suspendedZone("lobby", "10.9.0.11/24");

        CompletableFuture<Void> suspend = suspendInBackground(driver, "arena");
        assertThat(saving.await(10, TimeUnit.SECONDS)).as("the save started").isTrue();

        CompletableFuture<Void> stop =
                CompletableFuture.runAsync(() -> driver.stop("lobby"), threads);
        stop.get(5, TimeUnit.SECONDS); // the old driver-wide lock held this for the whole save
        assertThat(driver.zoneNames()).containsExactly("arena");
        assertThat(suspend).isNotDone();

        finishSave.countDown();
        assertThatThrownBy(() -> suspend.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(LiveZoneException.class)
                .hasMessageContaining("zone keeps running");
    }

    @Test
    void operationsOnOneZoneStillTakeTurns() throws Exception {
        QemuZoneDriver driver = new QemuZoneDriver(state, null, Accelerator.TCG);
        runningZone("arena", "10.9.0.10/24");

        CompletableFuture<Void> suspend = suspendInBackground(driver, "arena");
        assertThat(saving.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> stopped =
                CompletableFuture.supplyAsync(
                        () -> driver.underLock("arena", () -> Files.exists(zoneFolder("arena"))),
                        threads);
        Thread.sleep(500);
        assertThat(stopped).as("waits for the suspend of the same zone").isNotDone();

        finishSave.countDown();
        assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
        // The suspend fails (the stand-in QEMU saves nothing); it may still be finishing.
        assertThatThrownBy(() -> suspend.get(10, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class);
    }

    private CompletableFuture<Void> suspendInBackground(QemuZoneDriver driver, String zone) {
        return CompletableFuture.runAsync(
                () -> driver.suspend(zone, images.resolve(zone + ".img")), threads);
    }

    private Path zoneFolder(String zone) {
        return state.resolve("zones").resolve(zone);
    }

    private ZoneSpec spec(String zone, String address) {
        return new ZoneSpec(
                zone,
                MemorySize.ofMiB(192),
                1,
                new BootImage.Kernel(Path.of("/k"), Path.of("/i")),
                new NicSpec(
                        MacAddress.forZone(zone), Ipv4Interface.parse(address), Optional.empty()),
                ZoneApp.DEFAULT,
                Optional.empty());
    }

    /** A zone whose active instance i1 runs (a stand-in process) with a stand-in monitor. */
    private void runningZone(String zone, String address) throws Exception {
        Path dir = Files.createDirectories(zoneFolder(zone));
        JSON.writeValue(
                dir.resolve("zone.json").toFile(),
                ZoneRecord.of(spec(zone, address)).withActive("i1", 1));
        Path instance = Files.createDirectories(dir.resolve("i1"));
        qemu = new ProcessBuilder("sleep", "600").start();
        Files.writeString(instance.resolve("qemu.pid"), qemu.pid() + "\n");
        serveMonitor(instance.resolve("qmp.sock"));
    }

    /** A hibernated zone: a record without a VM. */
    private void suspendedZone(String zone, String address) throws Exception {
        Path dir = Files.createDirectories(zoneFolder(zone));
        JSON.writeValue(
                dir.resolve("zone.json").toFile(),
                ZoneRecord.of(spec(zone, address)).suspended("/tmp/" + zone + ".img"));
    }

    /**
     * Answers every command; a {@code migrate} (the save) ends, failed, once {@link #finishSave}
     * opens, so the suspend lasts as long as the test wants.
     */
    private void serveMonitor(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        open.add(server);
        Thread t =
                Thread.ofVirtual()
                        .start(
                                () -> {
                                    try (SocketChannel ch = server.accept()) {
                                        send(
                                                ch,
                                                "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0,"
                                                        + " \"minor\": 2, \"major\": 10},"
                                                        + " \"package\": \"\"},"
                                                        + " \"capabilities\": []}}");
                                        BufferedReader in =
                                                new BufferedReader(
                                                        new InputStreamReader(
                                                                Channels.newInputStream(ch),
                                                                StandardCharsets.UTF_8));
                                        String line;
                                        while ((line = in.readLine()) != null) {
                                            JsonNode cmd = JSON.readTree(line);
                                            String name = cmd.path("execute").asText();
                                            String answer =
                                                    name.equals("query-status")
                                                            ? "{\"status\": \"running\","
                                                                    + " \"running\": true}"
                                                            : "{}";
                                            send(
                                                    ch,
                                                    "{\"return\": "
                                                            + answer
                                                            + ", \"id\": "
                                                            + cmd.path("id")
                                                            + "}");
                                            if (name.equals("migrate")) {
                                                saving.countDown();
                                                finishSave.await();
                                                send(
                                                        ch,
                                                        "{\"event\": \"MIGRATION\", \"data\":"
                                                                + " {\"status\": \"failed\"},"
                                                                + " \"timestamp\": {\"seconds\":"
                                                                + " 1, \"microseconds\": 0}}");
                                            }
                                        }
                                    } catch (IOException | InterruptedException e) {
                                        // the test is over
                                    }
                                });
        open.add(t::interrupt);
    }

    private static void send(SocketChannel ch, String json) throws IOException {
        ch.write(ByteBuffer.wrap((json + "\r\n").getBytes(StandardCharsets.UTF_8)));
    }
}
