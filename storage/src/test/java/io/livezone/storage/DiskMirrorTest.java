package io.livezone.storage;

import static io.livezone.storage.TestImages.MIB;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.qemu.qmp.QmpClient;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Push mirrors between two real QEMU processes (no guest): mode (a) full copy and mode (c)
 * overlay-only copy, each followed by a memory migration, plus the failure paths.
 */
@Timeout(90)
@ExtendWith(NoLeftoverProcesses.class)
@SuppressWarnings("try") // resources closed early on purpose: the export at switchover
class DiskMirrorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Slow enough that the copy is still running while the test writes (after a 16 MiB burst). */
    private static final long CRAWL = MIB;

    @TempDir Path dir;

    private QemuImg img;

    @BeforeEach
    void setUp() {
        TestImages.assumeQemu();
        img = TestImages.qemuImg();
    }

    /** Where the mirror is finished relative to the memory migration. */
    enum FinishPoint {
        /** In the pre-switchover pause: source stopped, destination not yet running. */
        PRE_SWITCHOVER,
        /** After the migration completed (destination stays paused here: its source was). */
        AFTER_COMPLETION
    }

    @ParameterizedTest
    @EnumSource(FinishPoint.class)
    void modeA_fullMirrorKeepsUpWithWritesAndEndsInSync(FinishPoint finishAt) throws Exception {
        Path base =
                TestImages.filled(
                        dir.resolve("base.qcow2"), ImageFormat.QCOW2, 32 * MIB, 32 * MIB, 0x11);
        Path source = dir.resolve("src.qcow2");
        img.createOverlay(source, base, ImageFormat.QCOW2);
        TestImages.write(source, 0x21, 0, MIB);
        Path destination =
                TestImages.filled(dir.resolve("dst.qcow2"), ImageFormat.QCOW2, 32 * MIB, 0, 0);
        ZoneDisk srcDisk = ZoneDisk.local("disk0", source);
        ZoneDisk dstDisk = ZoneDisk.local("disk0", destination);

        long bytesSent;
        try (TestQemu src = TestQemu.paused(dir, "src", srcDisk);
                TestQemu dst = TestQemu.incoming(dir, "dst", dstDisk);
                EmbeddedNbdServer server =
                        EmbeddedNbdServer.start(dst.qmp(), dir.resolve("nbd.sock"));
                NbdExport export = server.export(dstDisk);
                CountingRelay relay =
                        CountingRelay.start(dir.resolve("relay.sock"), server.socket());
                DiskMirror mirror =
                        DiskMirror.start(
                                src.qmp(),
                                srcDisk,
                                new NbdEndpoint(relay.socket(), export.endpoint().exportName()),
                                MirrorOptions.full().withBytesPerSecond(CRAWL))) {
            assertThat(mirror.jobId()).isEqualTo("lz-disk0-push");
            await().atMost(WAIT).until(() -> mirror.progress().offset() > 0);
            MirrorProgress copying = mirror.progress();
            assertThat(copying.ready()).isFalse();
            assertThat(copying.status()).isEqualTo("running");
            assertThat(copying.length()).isEqualTo(32 * MIB);
            assertThat(copying.fraction()).isBetween(0.0, 1.0);

            // While the bulk copy runs: one region already copied (must be re-sent), one not yet.
            src.write(srcDisk, 0x34, 0, 64 * 1024);
            src.write(srcDisk, 0x33, 28 * MIB, MIB);
            assertThat(mirror.isReady()).isFalse();

            mirror.setBytesPerSecond(0);
            MirrorProgress ready = mirror.awaitReady(WAIT);
            assertThat(ready.ready()).isTrue();
            assertThat(ready.remainingBytes()).isZero();

            // In sync: new writes are mirrored as they happen.
            src.write(srcDisk, 0x44, 8 * MIB, MIB);

            TestMigration.migrate(
                    src,
                    dst,
                    dir.resolve("mig.sock"),
                    () -> {
                        if (finishAt == FinishPoint.PRE_SWITCHOVER) {
                            mirror.finishWithoutPivot(WAIT);
                            export.close();
                        }
                    });
            if (finishAt == FinishPoint.AFTER_COMPLETION) {
                MirrorProgress done = mirror.finishWithoutPivot(WAIT);
                assertThat(done.status()).isEqualTo("concluded");
            }

            assertThat(src.qmp().execute("query-block-jobs")).isEmpty();
            assertThat(BlockGraph.namedNodes(src.qmp()))
                    .containsExactlyInAnyOrder("lz-disk0", "lz-disk0-file");
            assertThatThrownBy(() -> mirror.finishWithoutPivot(WAIT))
                    .isInstanceOf(IllegalStateException.class);
            bytesSent = relay.bytesToTarget();
        }

        // The whole disk crossed the link: base data included.
        assertThat(bytesSent).isGreaterThan(32 * MIB);
        assertThat(img.info(destination).backingFile()).isEmpty();
        assertThat(img.sha256(destination)).isEqualTo(img.sha256(source));
        TestImages.assertPattern(destination, 0x34, 0, 64 * 1024);
        TestImages.assertPattern(destination, 0x21, 64 * 1024, MIB - 64 * 1024);
        TestImages.assertPattern(destination, 0x44, 8 * MIB, MIB);
        TestImages.assertPattern(destination, 0x33, 28 * MIB, MIB);
        TestImages.assertPattern(destination, 0x11, 16 * MIB, 8 * MIB);
    }

    @Test
    void modeC_topMirrorSendsOnlyTheOverlayToASiteThatCachesTheBase() throws Exception {
        Path origin =
                TestImages.filled(
                        dir.resolve("origin.qcow2"), ImageFormat.QCOW2, 48 * MIB, 48 * MIB, 0x11);
        BaseImageCache siteA =
                new BaseImageCache(dir.resolve("site-a"), img, ImageTransfer.direct());
        BaseImageCache siteB =
                new BaseImageCache(dir.resolve("site-b"), img, ImageTransfer.direct());

        CachedBaseImage baseA = siteA.ensure(origin);
        Path source = dir.resolve("src.qcow2");
        siteA.createOverlay(baseA, source);
        TestImages.write(source, 0x21, 0, 2 * MIB);
        ZoneDisk srcDisk = ZoneDisk.local("disk0", source);

        // Site B gets the base once (before or long before the migration), then an empty overlay.
        CachedBaseImage baseB = siteB.ensure(baseA.path());
        assertThat(baseB.sha256()).isEqualTo(baseA.sha256());
        assertThat(siteB.ensure(origin).wasCached()).isTrue();
        Path destination = dir.resolve("dst.qcow2");
        siteB.createOverlay(baseB, destination, img.info(source).virtualSize());
        ZoneDisk dstDisk = ZoneDisk.local("disk0", destination);

        long bytesSent;
        try (TestQemu src = TestQemu.paused(dir, "src", srcDisk);
                TestQemu dst = TestQemu.incoming(dir, "dst", dstDisk);
                EmbeddedNbdServer server =
                        EmbeddedNbdServer.start(dst.qmp(), dir.resolve("nbd.sock"));
                NbdExport export = server.export(dstDisk);
                CountingRelay relay =
                        CountingRelay.start(dir.resolve("relay.sock"), server.socket())) {
            src.write(srcDisk, 0x31, 10 * MIB, MIB);
            try (DiskMirror mirror =
                    DiskMirror.start(
                            src.qmp(),
                            srcDisk,
                            new NbdEndpoint(relay.socket(), export.endpoint().exportName()),
                            MirrorOptions.top())) {
                MirrorProgress ready = mirror.awaitReady(WAIT);
                // Only the overlay's clusters were dirty: 3 MiB, not the 48 MiB disk.
                assertThat(ready.length()).isEqualTo(3 * MIB);
                src.write(srcDisk, 0x41, 20 * MIB, MIB / 2);
                TestMigration.migrate(
                        src,
                        dst,
                        dir.resolve("mig.sock"),
                        () -> {
                            mirror.finishWithoutPivot(WAIT);
                            export.close();
                        });
            }
            bytesSent = relay.bytesToTarget();
        }

        long overlayData = img.topLayerDataBytes(source);
        assertThat(overlayData).isEqualTo(3 * MIB + MIB / 2);
        assertThat(bytesSent).isBetween(overlayData, overlayData + MIB); // data + NBD headers
        assertThat(img.topLayerDataBytes(destination)).isEqualTo(overlayData);
        assertThat(img.info(destination).backingFile()).contains(baseB.path());
        assertThat(img.sha256(destination)).isEqualTo(img.sha256(source));
        TestImages.assertPattern(destination, 0x41, 20 * MIB, MIB / 2);
        TestImages.assertPattern(destination, 0x11, 40 * MIB, 8 * MIB);
    }

    @Test
    void unreachableOrMismatchedExportFailsClearlyAndLeavesNothingBehind() throws Exception {
        Path source =
                TestImages.filled(
                        dir.resolve("src.qcow2"), ImageFormat.QCOW2, 16 * MIB, 4 * MIB, 0x11);
        Path small =
                TestImages.filled(dir.resolve("small.qcow2"), ImageFormat.QCOW2, 8 * MIB, 0, 0);
        ZoneDisk srcDisk = ZoneDisk.local("disk0", source);
        ZoneDisk dstDisk = ZoneDisk.local("disk0", small);
        String before = img.sha256(source);

        try (TestQemu src = TestQemu.paused(dir, "src", srcDisk);
                TestQemu dst = TestQemu.incoming(dir, "dst", dstDisk);
                EmbeddedNbdServer server =
                        EmbeddedNbdServer.start(dst.qmp(), dir.resolve("nbd.sock"))) {
            NbdEndpoint noSuchExport = new NbdEndpoint(server.socket(), "lz-disk0");
            assertThatThrownBy(
                            () ->
                                    DiskMirror.start(
                                            src.qmp(), srcDisk, noSuchExport, MirrorOptions.full()))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining(noSuchExport.uri())
                    .hasMessageContaining("export added");
            assertNothingLeft(src.qmp());

            NbdEndpoint noSocket = new NbdEndpoint(dir.resolve("absent.sock"), "lz-disk0");
            assertThatThrownBy(
                            () ->
                                    DiskMirror.start(
                                            src.qmp(), srcDisk, noSocket, MirrorOptions.full()))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("absent.sock");
            assertNothingLeft(src.qmp());

            NbdExport export = server.export(dstDisk);
            assertThatThrownBy(
                            () ->
                                    DiskMirror.start(
                                            src.qmp(),
                                            srcDisk,
                                            export.endpoint(),
                                            MirrorOptions.full()))
                    .isInstanceOfSatisfying(
                            BlockJobException.class,
                            e -> assertThat(e.jobId()).isEqualTo("lz-disk0-push"))
                    .hasMessageContaining("8388608 bytes")
                    .hasMessageContaining("16777216");
            assertNothingLeft(src.qmp());

            ZoneDisk wrongNode = ZoneDisk.local("disk9", source);
            assertThatThrownBy(
                            () ->
                                    DiskMirror.start(
                                            src.qmp(),
                                            wrongNode,
                                            export.endpoint(),
                                            MirrorOptions.full()))
                    .isInstanceOf(BlockJobException.class)
                    .hasMessageContaining("lz-disk9")
                    .hasMessageContaining("lz-disk0");
            assertNothingLeft(src.qmp());
            src.write(srcDisk, 0x22, 0, 4096); // the zone's disk still works
        }
        assertThat(img.sha256(source)).isNotEqualTo(before);
        TestImages.assertPattern(source, 0x11, 4096, 4 * MIB - 4096);
    }

    @Test
    void abortedOrBrokenMirrorLeavesTheSourceUntouched() throws Exception {
        Path source =
                TestImages.filled(
                        dir.resolve("src.qcow2"), ImageFormat.QCOW2, 32 * MIB, 32 * MIB, 0x11);
        Path destination =
                TestImages.filled(dir.resolve("dst.qcow2"), ImageFormat.QCOW2, 32 * MIB, 0, 0);
        ZoneDisk srcDisk = ZoneDisk.local("disk0", source);
        ZoneDisk dstDisk = ZoneDisk.local("disk0", destination);
        String before = img.sha256(source);

        try (TestQemu src = TestQemu.paused(dir, "src", srcDisk);
                TestQemu dst = TestQemu.incoming(dir, "dst", dstDisk)) {
            EmbeddedNbdServer server = EmbeddedNbdServer.start(dst.qmp(), dir.resolve("nbd.sock"));
            NbdExport export = server.export(dstDisk);
            MirrorOptions slow = MirrorOptions.full().withBytesPerSecond(CRAWL);

            // The caller gives up: close() without finishing cancels.
            try (DiskMirror mirror =
                    DiskMirror.start(src.qmp(), srcDisk, export.endpoint(), slow)) {
                await().atMost(WAIT).until(() -> mirror.progress().offset() > 0);
            }
            assertNothingLeft(src.qmp());

            // The destination host dies mid-copy.
            DiskMirror mirror = DiskMirror.start(src.qmp(), srcDisk, export.endpoint(), slow);
            await().atMost(WAIT).until(() -> mirror.progress().offset() > 0);
            dst.kill();
            mirror.setBytesPerSecond(0); // wake the throttled job so it meets the dead socket
            assertThatThrownBy(() -> mirror.awaitReady(WAIT))
                    .isInstanceOf(BlockJobException.class)
                    .hasMessageContaining("lz-disk0-push")
                    .hasMessageContaining("before it was ready");
            assertNothingLeft(src.qmp());
            assertThatThrownBy(() -> mirror.finishWithoutPivot(WAIT))
                    .isInstanceOf(IllegalStateException.class);
            mirror.close(); // idempotent after a failure
            assertThat(BlockGraph.namedNodes(src.qmp())).contains("lz-disk0");
        }
        assertThat(img.sha256(source)).isEqualTo(before);
        assertThat(Files.exists(source)).isTrue();
    }

    private static void assertNothingLeft(QmpClient qmp) {
        assertThat(qmp.execute("query-block-jobs")).isEmpty();
        assertThat(BlockGraph.namedNodes(qmp))
                .containsExactlyInAnyOrder("lz-disk0", "lz-disk0-file");
    }
}
