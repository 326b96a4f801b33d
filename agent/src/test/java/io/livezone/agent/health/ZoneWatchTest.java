package io.livezone.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.core.ZoneFailure;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.qemu.Accelerator;
import io.livezone.qemu.QemuZoneDriver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The zone watch on a zone folder as the QEMU driver keeps it, with a stand-in process for QEMU and
 * no monitor socket (so every look's monitor question goes unanswered): no VM is booted.
 */
class ZoneWatchTest {
    @TempDir Path state;
    private Process qemu;
    private final Set<String> moving = ConcurrentHashMap.newKeySet();

    @AfterEach
    void tearDown() throws InterruptedException {
        if (qemu != null) {
            qemu.destroyForcibly().waitFor();
        }
    }

    private ZoneWatch watch(int maxMisses) {
        return new ZoneWatch(
                "h1",
                new QemuZoneDriver(state, null, Accelerator.TCG),
                moving::contains,
                List.of(),
                Duration.ofSeconds(1),
                Duration.ofMillis(100),
                maxMisses);
    }

    /** Zone arena, active instance i1, run by a stand-in process; returns the instance folder. */
    private Path arena() throws Exception {
        Path zone = Files.createDirectories(state.resolve("zones/arena"));
        Files.writeString(
                zone.resolve("zone.json"),
                """
                {"name": "arena", "memoryMiB": 192, "vcpus": 1, "kernel": "/k", "initrd": "/i",
                 "disk": null, "mac": "52:54:00:12:34:56", "address": "10.9.0.10/24",
                 "gateway": null, "tcpPort": 7000, "udpPort": 7001, "tickHz": 20,
                 "redisPort": 0, "activeInstance": "i1", "instanceSeq": 1,
                 "suspendedTo": null, "incomingInstance": null, "diskDevice": null}
                """);
        Path instance = Files.createDirectories(zone.resolve("i1"));
        qemu = new ProcessBuilder("sleep", "600").start();
        Files.writeString(instance.resolve("qemu.pid"), qemu.pid() + "\n");
        Files.writeString(instance.resolve("console.log"), "booted\nLIVEZONE-ZONE-READY\n");
        return instance;
    }

    private void kill(Path instance) throws Exception {
        qemu.destroyForcibly().waitFor();
        Files.writeString(instance.resolve("qemu.exit"), "exit status 137\n");
    }

    @Test
    void aKilledQemuIsReportedDeadWithHowItDiedAndTheSameFailureEveryLook() throws Exception {
        Path instance = arena();
        ZoneWatch watch = watch(10);
        watch.lookOnce();
        assertThat(watch.latest()).as("alive, monitor silent once: nothing to say yet").isEmpty();

        kill(instance);
        watch.lookOnce();
        ZoneStatus dead = watch.latest().get(0);
        assertThat(dead.state()).isEqualTo(ZoneState.DEAD);
        ZoneFailure f = dead.failure();
        assertThat(f.instance()).isEqualTo("i1");
        assertThat(f.reason()).isEqualTo("its QEMU process ended: killed by signal 9 (SIGKILL)");
        assertThat(f.exitStatus()).isEqualTo(137);
        assertThat(f.consoleTail()).contains("LIVEZONE-ZONE-READY");

        watch.lookOnce();
        assertThat(watch.latest()).containsExactly(dead);
        assertThat(watch.failure("arena")).contains(f);
    }

    @Test
    void aZoneInAMoveIsLeftToTheMove() throws Exception {
        Path instance = arena();
        moving.add("arena");
        ZoneWatch watch = watch(1);
        kill(instance);
        watch.lookOnce();
        assertThat(watch.latest()).isEmpty();
        assertThat(watch.failure("arena")).isEmpty();
    }

    @Test
    void aSilentMonitorOfALiveProcessIsCalledHungOnlyAfterTheBound() throws Exception {
        arena();
        ZoneWatch watch = watch(3);
        watch.lookOnce();
        watch.lookOnce();
        assertThat(watch.latest()).isEmpty();
        watch.lookOnce();
        ZoneStatus hung = watch.latest().get(0);
        assertThat(hung.state()).isEqualTo(ZoneState.DEAD);
        assertThat(hung.failure().reason()).contains("hung", "3 looks in a row");
        assertThat(hung.failure().exitStatus()).isNull();
    }

    @Test
    void aZoneRemovedOnPurposeIsNeverReported() throws Exception {
        Path instance = arena();
        ZoneWatch watch = watch(1);
        // What a stop does under the driver's lock: the VM ends, the zone's folder goes.
        kill(instance);
        deleteTree(state.resolve("zones/arena"));
        watch.lookOnce();
        assertThat(watch.latest()).isEmpty();
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
