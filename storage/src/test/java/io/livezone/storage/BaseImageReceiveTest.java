package io.livezone.storage;

import static io.livezone.storage.TestImages.MIB;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A site cache receiving a base image from another host's stream, as the agents ship them. */
class BaseImageReceiveTest {
    @TempDir Path dir;

    private QemuImg img;
    private Path base;
    private CachedBaseImage origin;

    @BeforeEach
    void setUp() {
        TestImages.assumeQemu();
        img = TestImages.qemuImg();
        base =
                TestImages.filled(
                        dir.resolve("base.qcow2"), ImageFormat.QCOW2, 8 * MIB, 2 * MIB, 0x5a);
        origin =
                new BaseImageCache(dir.resolve("site-a"), img, ImageTransfer.direct()).ensure(base);
    }

    @Test
    void receivesOnceAndChecksTheHash() throws IOException {
        BaseImageCache site =
                new BaseImageCache(dir.resolve("site-b"), img, ImageTransfer.direct());
        CachedBaseImage received;
        try (InputStream in = Files.newInputStream(origin.path())) {
            received = site.receive(origin.sha256(), ImageFormat.QCOW2, in);
        }
        assertThat(received.sha256()).isEqualTo(origin.sha256());
        assertThat(received.bytesTransferred()).isEqualTo(Files.size(base));
        assertThat(received.virtualSize()).isEqualTo(8 * MIB);
        assertThat(img.sameContent(received.path(), base)).isTrue();
        assertThat(site.find(origin.sha256())).isPresent();

        // Already cached: the stream is not read.
        InputStream untouched = new ByteArrayInputStream(new byte[] {1, 2, 3});
        CachedBaseImage again = site.receive(origin.sha256(), ImageFormat.QCOW2, untouched);
        assertThat(again.wasCached()).isTrue();
        assertThat(untouched.available()).isEqualTo(3);
        assertThat(site.transfers()).isEqualTo(1);
    }

    @Test
    void truncatedOrForeignBytesLeaveNothingInTheCache() throws IOException {
        Path cacheDir = dir.resolve("site-c");
        BaseImageCache site = new BaseImageCache(cacheDir, img, ImageTransfer.direct());
        byte[] all = Files.readAllBytes(origin.path());
        byte[] truncated = java.util.Arrays.copyOf(all, all.length / 2);

        assertThatThrownBy(
                        () ->
                                site.receive(
                                        origin.sha256(),
                                        ImageFormat.QCOW2,
                                        new ByteArrayInputStream(truncated)))
                .isInstanceOf(ImageTransferException.class)
                .hasMessageContaining("SHA-256");
        assertThatThrownBy(
                        () ->
                                site.receive(
                                        "not-a-hash",
                                        ImageFormat.QCOW2,
                                        new ByteArrayInputStream(all)))
                .isInstanceOf(IllegalArgumentException.class);
        try (var files = Files.list(cacheDir)) {
            assertThat(files).isEmpty();
        }
        assertThat(site.transfers()).isZero();
    }
}
