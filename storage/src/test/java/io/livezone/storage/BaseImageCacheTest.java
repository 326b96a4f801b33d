package io.livezone.storage;

import static io.livezone.storage.TestImages.MIB;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

@Timeout(60)
@ExtendWith(NoLeftoverProcesses.class)
class BaseImageCacheTest {
    @TempDir Path dir;

    private QemuImg img;
    private Path base;

    @BeforeEach
    void setUp() {
        TestImages.assumeQemu();
        img = TestImages.qemuImg();
        base =
                TestImages.filled(
                        dir.resolve("origin-base.qcow2"),
                        ImageFormat.QCOW2,
                        8 * MIB,
                        6 * MIB,
                        0x11);
    }

    @Test
    void sendsEachBaseOnceAndNamesItByContentHash() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        BaseImageCache site =
                new BaseImageCache(
                        dir.resolve("site-b"),
                        img,
                        (in, out) -> {
                            calls.incrementAndGet();
                            in.transferTo(out);
                        });

        CachedBaseImage first = site.ensure(base);
        long fileSize = Files.size(base);
        assertThat(first.wasCached()).isFalse();
        assertThat(first.bytesTransferred()).isEqualTo(fileSize);
        assertThat(first.sha256()).isEqualTo(QemuImg.sha256OfFile(base, fileSize));
        assertThat(first.path())
                .isEqualTo(dir.resolve("site-b").resolve(first.sha256() + ".qcow2"));
        assertThat(first.virtualSize()).isEqualTo(8 * MIB);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.path())))
                .isEqualTo("r--r--r--");
        assertThat(img.sameContent(first.path(), base)).isTrue();

        // A second zone on the same base, and the same bytes under another name: nothing is sent.
        Path sameBytes = Files.copy(base, dir.resolve("renamed-copy.qcow2"));
        CachedBaseImage again = site.ensure(base);
        CachedBaseImage viaCopy = site.ensure(sameBytes);
        assertThat(again.wasCached()).isTrue();
        assertThat(viaCopy.path()).isEqualTo(first.path());
        assertThat(calls).hasValue(1);
        assertThat(site.transfers()).isEqualTo(1);
        assertThat(site.bytesTransferred()).isEqualTo(fileSize);

        // Overlays against the cached base carry only zone data.
        Path zoneA = dir.resolve("zone-a.qcow2");
        Path zoneB = dir.resolve("zone-b.qcow2");
        site.createOverlay(first, zoneA);
        site.createOverlay(first, zoneB, 16 * MIB);
        assertThat(img.info(zoneA).backingFile()).contains(first.path());
        assertThat(img.info(zoneB).virtualSize()).isEqualTo(16 * MIB);
        assertThat(img.sameContent(zoneA, base)).isTrue();

        assertThat(site.find(first.sha256())).map(CachedBaseImage::path).contains(first.path());
        assertThat(site.find("0".repeat(64))).isEmpty();
        assertThat(site.list()).extracting(CachedBaseImage::sha256).containsExactly(first.sha256());
    }

    @Test
    void concurrentEnsuresOfOneBaseTransferItOnce() throws Exception {
        BaseImageCache site =
                new BaseImageCache(dir.resolve("site-c"), img, ImageTransfer.direct());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CachedBaseImage>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit((Callable<CachedBaseImage>) () -> site.ensure(base)));
            }
            for (Future<CachedBaseImage> f : results) {
                assertThat(f.get().path()).exists();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(site.transfers()).isEqualTo(1);
        assertThat(site.bytesTransferred()).isEqualTo(Files.size(base));
    }

    @Test
    void corruptedOrFailedTransferLeavesNothingInTheCache() throws Exception {
        Path cacheDir = dir.resolve("site-d");
        BaseImageCache corrupting =
                new BaseImageCache(
                        cacheDir,
                        img,
                        (in, out) -> {
                            byte[] all = in.readAllBytes();
                            all[all.length / 2] ^= 1;
                            out.write(all);
                        });
        assertThatThrownBy(() -> corrupting.ensure(base))
                .isInstanceOf(ImageTransferException.class)
                .hasMessageContaining("SHA-256")
                .hasMessageContaining("retry");

        BaseImageCache failing =
                new BaseImageCache(
                        cacheDir,
                        img,
                        (in, out) -> {
                            out.write(in.readNBytes(4096));
                            throw new IOException("link down");
                        });
        assertThatThrownBy(() -> failing.ensure(base))
                .isInstanceOf(ImageTransferException.class)
                .hasMessageContaining("link down");

        try (var files = Files.list(cacheDir)) {
            assertThat(files).isEmpty();
        }
        assertThat(failing.transfers()).isZero();
    }

    @Test
    void refusesABaseThatHasABackingFile() {
        Path layered = dir.resolve("layered.qcow2");
        img.createOverlay(layered, base, ImageFormat.QCOW2);
        BaseImageCache site =
                new BaseImageCache(dir.resolve("site-e"), img, ImageTransfer.direct());

        assertThatThrownBy(() -> site.ensure(layered))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("backing file")
                .hasMessageContaining("qemu-img convert");
    }
}
