package io.livezone.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.core.BootImage;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.MacAddress;
import io.livezone.core.MemorySize;
import io.livezone.core.NicSpec;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneFailure;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A zone watch's look at a VM, without QEMU: the zone's folder as the driver keeps it, a stand-in
 * process for QEMU, and a stand-in monitor that answers, or accepts and never greets (busy with
 * another client, or hung).
 */
class VmInspectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MONITOR = Duration.ofMillis(500);

    @TempDir Path state;
    private final List<AutoCloseable> open = new ArrayList<>();
    private Process qemu;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (qemu != null) {
            qemu.destroyForcibly().waitFor();
        }
    }

    private QemuZoneDriver driver() {
        return new QemuZoneDriver(state, null, Accelerator.TCG);
    }

    /** The zone's folder with i1 as its active instance, run by a stand-in process. */
    private Path zoneWithActiveInstance() throws Exception {
        ZoneSpec spec =
                new ZoneSpec(
                        "arena",
                        MemorySize.ofMiB(192),
                        1,
                        new BootImage.Kernel(Path.of("/k"), Path.of("/i")),
                        new NicSpec(
                                MacAddress.forZone("arena"),
                                Ipv4Interface.parse("10.9.0.10/24"),
                                Optional.empty()),
                        ZoneApp.DEFAULT,
                        Optional.empty());
        Path zone = Files.createDirectories(state.resolve("zones/arena"));
        JSON.writeValue(
                zone.resolve("zone.json").toFile(), ZoneRecord.of(spec).withActive("i1", 1));
        Path instance = Files.createDirectories(zone.resolve("i1"));
        qemu = new ProcessBuilder("sleep", "600").start();
        Files.writeString(instance.resolve("qemu.pid"), qemu.pid() + "\n");
        return instance;
    }

    @Test
    void aRunningVmWhoseMonitorAnswersIsAlive() throws Exception {
        Path instance = zoneWithActiveInstance();
        serveMonitor(instance.resolve("qmp.sock"), true);
        VmCheck check = driver().check("arena", MONITOR);
        assertThat(check.presence()).isEqualTo(VmCheck.Presence.ALIVE);
        assertThat(check.instance()).isEqualTo("i1");
        assertThat(check.runState()).isEqualTo("running");
        assertThat(check.migrationStatus()).isEqualTo("none");
        assertThat(check.pid()).hasValue(qemu.pid());
    }

    @Test
    void aMonitorThatMakesUsWaitIsNotADeath() throws Exception {
        Path instance = zoneWithActiveInstance();
        serveMonitor(instance.resolve("qmp.sock"), false); // accepts, never greets
        long t0 = System.nanoTime();
        VmCheck check = driver().check("arena", MONITOR);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(check.presence()).isEqualTo(VmCheck.Presence.ALIVE);
        assertThat(check.monitorAnswered()).isFalse();
        assertThat(check.monitorProblem()).contains("greeting");
    }

    @Test
    void aZoneHeldByALongOperationIsBusyNotAMiss() throws Exception {
        zoneWithActiveInstance();
        QemuZoneDriver driver = driver();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread suspend =
                Thread.ofVirtual()
                        .start(
                                () ->
                                        driver.underLock(
                                                "arena",
                                                () -> {
                                                    held.countDown();
                                                    try {
                                                        done.await();
                                                    } catch (InterruptedException e) {
                                                        Thread.currentThread().interrupt();
                                                    }
                                                }));
        held.await();
        try {
            VmCheck check = driver.check("arena", MONITOR);
            assertThat(check.presence()).isEqualTo(VmCheck.Presence.BUSY);
        } finally {
            done.countDown();
            suspend.join();
        }
    }

    @Test
    void aProcessThatEndedIsDeadWithTheStatusItsAgentSaw() throws Exception {
        Path instance = zoneWithActiveInstance();
        qemu.destroyForcibly().waitFor();
        Files.writeString(instance.resolve("qemu.exit"), "exit status 137\n");
        Files.writeString(instance.resolve("qemu.err"), "qemu-system-x86_64: terminating\n");
        Files.writeString(instance.resolve("console.log"), "boot\nline 2\nLIVEZONE-ZONE-READY\n");
        QemuZoneDriver driver = driver();
        VmCheck check = driver.check("arena", MONITOR);
        assertThat(check.presence()).isEqualTo(VmCheck.Presence.DEAD);
        assertThat(check.exitStatus()).hasValue(137);

        ZoneFailure f = driver.describeFailure("arena", "i1", "its QEMU process ended", 42);
        assertThat(f.exitStatus()).isEqualTo(137);
        assertThat(f.qemuOutput()).contains("terminating", "exit status 137");
        assertThat(f.consoleTail()).endsWith("line 2\nLIVEZONE-ZONE-READY");
        assertThat(ZoneFailure.describeExit(137)).isEqualTo("killed by signal 9 (SIGKILL)");
    }

    @Test
    void aZoneWithoutAnActiveVmOrWithoutRecordIsNotJudged() throws Exception {
        assertThat(driver().check("arena", MONITOR).presence()).isEqualTo(VmCheck.Presence.GONE);
        zoneWithActiveInstance();
        Path record = state.resolve("zones/arena/zone.json");
        ZoneRecord r = JSON.readValue(record.toFile(), ZoneRecord.class);
        JSON.writeValue(record.toFile(), r.suspended("/tmp/arena.img"));
        assertThat(driver().check("arena", MONITOR).presence())
                .isEqualTo(VmCheck.Presence.NOT_ACTIVE);
    }

    /** A stand-in QMP monitor: answers every command, or ({@code greet} false) stays silent. */
    private void serveMonitor(Path socket, boolean greet) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        open.add(server);
        Thread t =
                Thread.ofVirtual()
                        .start(
                                () -> {
                                    try (SocketChannel ch = server.accept()) {
                                        if (!greet) {
                                            Thread.sleep(10_000);
                                            return;
                                        }
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
                                            String answer =
                                                    switch (cmd.path("execute").asText()) {
                                                        case "query-status" ->
                                                                "{\"status\": \"running\","
                                                                        + " \"running\": true}";
                                                        case "query-migrate" -> "{}";
                                                        default -> "{}";
                                                    };
                                            send(
                                                    ch,
                                                    "{\"return\": "
                                                            + answer
                                                            + ", \"id\": "
                                                            + cmd.path("id")
                                                            + "}");
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
