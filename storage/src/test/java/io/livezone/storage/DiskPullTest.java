package io.livezone.storage;

import static io.livezone.storage.TestImages.MIB;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Mode (b): the zone's disk stays on host Y (a standalone NBD server) while the zone migrates from
 * X to Z; then Z pulls the disk and pivots onto the local copy.
 */
@Timeout(90)
@ExtendWith(NoLeftoverProcesses.class)
@SuppressWarnings("try") // resources closed early on purpose: source after migration, host Y
class DiskPullTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir Path dir;

    private QemuImg img;

    @BeforeEach
    void setUp() {
        TestImages.assumeQemu();
        img = TestImages.qemuImg();
    }

    @Test
    void remoteDiskSurvivesMigrationThenBecomesLocalLive() throws Exception {
        Path base =
                TestImages.filled(
                        dir.resolve("base.qcow2"), ImageFormat.QCOW2, 32 * MIB, 32 * MIB, 0x11);
        Path onY = dir.resolve("zone-on-y.qcow2");
        img.createOverlay(onY, base, ImageFormat.QCOW2);
        TestImages.write(onY, 0x21, 0, 2 * MIB);
        Path local = dir.resolve("zone-on-z.qcow2");

        try (StandaloneNbdServer hostY =
                StandaloneNbdServer.start(onY, ImageFormat.QCOW2, dir.resolve("y"), "zone-a")) {
            ZoneDisk remote = ZoneDisk.remote("disk0", hostY.endpoint());
            try (TestQemu x = TestQemu.paused(dir, "x", remote);
                    TestQemu z = TestQemu.incoming(dir, "z", remote)) {
                // Both QEMUs hold a connection to Y; migration hands the writer role from X to Z.
                x.write(remote, 0x51, 4 * MIB, MIB);
                TestMigration.migrate(x, z, dir.resolve("mig.sock"), () -> {});
                x.close();
                z.cont(); // the zone resumes at Z, which activates its disk
                z.write(remote, 0x52, 6 * MIB, MIB);

                // Refusals leave the zone as it was.
                assertThatThrownBy(
                                () ->
                                        DiskPull.start(
                                                z.qmp(), remote, local, img, MirrorOptions.top()))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("whole disk");
                Path taken = Files.writeString(dir.resolve("taken.qcow2"), "x");
                assertThatThrownBy(
                                () ->
                                        DiskPull.start(
                                                z.qmp(), remote, taken, img, MirrorOptions.full()))
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining("already exists");

                // Started and abandoned: the local file and node go away again.
                try (DiskPull abandoned =
                        DiskPull.start(
                                z.qmp(),
                                remote,
                                local,
                                img,
                                MirrorOptions.full().withBytesPerSecond(MIB))) {
                    await().atMost(WAIT).until(() -> abandoned.progress().offset() > 0);
                    assertThat(local).exists();
                }
                assertThat(local).doesNotExist();
                assertThat(BlockGraph.namedNodes(z.qmp())).containsExactly("lz-disk0");

                try (DiskPull pull =
                        DiskPull.start(
                                z.qmp(),
                                remote,
                                local,
                                img,
                                MirrorOptions.full().withBytesPerSecond(MIB))) {
                    assertThat(pull.jobId()).isEqualTo("lz-disk0-pull");
                    await().atMost(WAIT).until(() -> pull.progress().offset() > 0);
                    assertThat(pull.isReady()).isFalse();
                    z.write(remote, 0x53, 30 * MIB, MIB); // not copied yet
                    pull.setBytesPerSecond(0);
                    pull.awaitReady(WAIT);
                    z.write(remote, 0x54, 12 * MIB, MIB); // in sync: goes to both

                    ZoneDisk nowLocal = pull.pivot(WAIT);
                    assertThat(nowLocal.nodeName()).isEqualTo("lz-disk0-local");
                    assertThat(nowLocal.location()).isEqualTo(new ZoneDisk.LocalImage(local));
                    assertThat(attachedNode(z, nowLocal)).isEqualTo("lz-disk0-local");
                    assertThat(BlockGraph.namedNodes(z.qmp()))
                            .containsExactlyInAnyOrder("lz-disk0-local", "lz-disk0-local-file");

                    // Host Y can go away: the zone's disk no longer depends on it.
                    hostY.close();
                    z.write(nowLocal, 0x55, 14 * MIB, MIB);
                }
            }
        }
        TestImages.assertPattern(local, 0x21, 0, 2 * MIB);
        TestImages.assertPattern(local, 0x51, 4 * MIB, MIB);
        TestImages.assertPattern(local, 0x52, 6 * MIB, MIB);
        TestImages.assertPattern(local, 0x54, 12 * MIB, MIB);
        TestImages.assertPattern(local, 0x55, 14 * MIB, MIB);
        TestImages.assertPattern(local, 0x53, 30 * MIB, MIB);
        TestImages.assertPattern(local, 0x11, 16 * MIB, 14 * MIB);
        assertThat(img.info(local).backingFile()).isEmpty();
        // Y's copy got everything up to the pivot, nothing after.
        TestImages.assertPattern(onY, 0x54, 12 * MIB, MIB);
        TestImages.assertPattern(onY, 0x11, 14 * MIB, MIB);
    }

    private static String attachedNode(TestQemu qemu, ZoneDisk disk) {
        for (JsonNode device : qemu.qmp().execute("query-block")) {
            if (device.path("qdev").asText().equals(disk.blockBackendPath())) {
                return device.path("inserted").path("node-name").asText();
            }
        }
        throw new AssertionError("no block device " + disk.blockBackendPath());
    }
}
