package io.livezone.storage;

import static io.livezone.storage.TestImages.MIB;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

@Timeout(60)
@ExtendWith(NoLeftoverProcesses.class)
class QemuImgTest {
    @TempDir Path dir;

    private QemuImg img;

    @BeforeEach
    void setUp() {
        TestImages.assumeQemu();
        img = TestImages.qemuImg();
    }

    @Test
    void overlayOnBaseReportsChainAndSizes() {
        Path base =
                TestImages.filled(
                        dir.resolve("base.qcow2"), ImageFormat.QCOW2, 8 * MIB, 4 * MIB, 0x11);
        Path overlay = dir.resolve("zone.qcow2");
        img.createOverlay(overlay, base, ImageFormat.QCOW2);

        ImageInfo info = img.info(overlay);
        assertThat(info.format()).isEqualTo(ImageFormat.QCOW2);
        assertThat(info.virtualSize()).isEqualTo(8 * MIB);
        assertThat(info.actualSize()).isPositive().isLessThan(MIB);
        assertThat(info.backingFile()).contains(base);
        assertThat(info.backingFormat()).contains(ImageFormat.QCOW2);

        List<ImageInfo> chain = img.backingChain(overlay);
        assertThat(chain).extracting(ImageInfo::file).containsExactly(overlay, base);
        assertThat(chain.get(1).backingFile()).isEmpty();
        assertThat(chain.get(1).actualSize()).isGreaterThanOrEqualTo(4 * MIB);

        // Nothing written yet: the overlay shows the base's bytes and holds none itself.
        assertThat(img.sameContent(overlay, base)).isTrue();
        assertThat(img.sha256(overlay)).isEqualTo(img.sha256(base));
        assertThat(img.topLayerDataBytes(overlay)).isZero();

        TestImages.write(overlay, 0x22, MIB, 128 * 1024);
        assertThat(img.sameContent(overlay, base)).isFalse();
        assertThat(img.sha256(overlay)).isNotEqualTo(img.sha256(base));
        assertThat(img.topLayerDataBytes(overlay)).isEqualTo(128 * 1024);
        TestImages.assertPattern(overlay, 0x22, MIB, 128 * 1024);
        TestImages.assertPattern(overlay, 0x11, 2 * MIB, MIB);
    }

    @Test
    void sha256IsOfGuestContentNotOfTheFile() throws Exception {
        Path raw = TestImages.filled(dir.resolve("a.raw"), ImageFormat.RAW, 2 * MIB, MIB, 0x5a);
        Path qcow2 =
                TestImages.filled(dir.resolve("a.qcow2"), ImageFormat.QCOW2, 2 * MIB, MIB, 0x5a);

        assertThat(img.sha256(qcow2)).isEqualTo(img.sha256(raw)).hasSize(64);
        // For raw the guest content is the file itself.
        assertThat(img.sha256(raw)).isEqualTo(QemuImg.sha256OfFile(raw, 2 * MIB));
        // The scratch copy is gone.
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("a.raw", "a.qcow2");
        }
    }

    @Test
    void rebaseKeepsContentAndSetBackingFileOnlyRewritesTheHeader() throws Exception {
        Path base =
                TestImages.filled(
                        dir.resolve("base.qcow2"), ImageFormat.QCOW2, 4 * MIB, 4 * MIB, 0x11);
        Path copy = Files.copy(base, dir.resolve("copy.qcow2"));
        Path other =
                TestImages.filled(
                        dir.resolve("other.qcow2"), ImageFormat.QCOW2, 4 * MIB, 4 * MIB, 0x33);
        Path overlay = dir.resolve("zone.qcow2");
        img.createOverlay(overlay, base, ImageFormat.QCOW2);
        TestImages.write(overlay, 0x22, 0, 64 * 1024);
        String before = img.sha256(overlay);

        img.setBackingFile(overlay, copy, ImageFormat.QCOW2); // identical bytes elsewhere
        assertThat(img.info(overlay).backingFile()).contains(copy);
        assertThat(img.sha256(overlay)).isEqualTo(before);

        img.rebase(overlay, other, ImageFormat.QCOW2); // different bytes: safe rebase copies
        assertThat(img.info(overlay).backingFile()).contains(other);
        assertThat(img.sha256(overlay)).isEqualTo(before);
        assertThat(img.topLayerDataBytes(overlay)).isEqualTo(4 * MIB);
    }

    @Test
    void failuresCarryQemuImgsMessage() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.qcow2"), "not an image");
        Path overlay = dir.resolve("zone.qcow2");

        assertThatThrownBy(() -> img.createOverlay(overlay, dir.resolve("nope"), ImageFormat.QCOW2))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("backing image")
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> img.createOverlay(overlay, garbage, ImageFormat.QCOW2))
                .isInstanceOfSatisfying(
                        QemuImgException.class,
                        e -> {
                            assertThat(e.exitCode()).isNotZero();
                            assertThat(e.stderr()).isNotBlank();
                            assertThat(e.getMessage()).contains(e.stderr().strip());
                        });
        assertThat(overlay).doesNotExist();

        Path existing = TestImages.filled(dir.resolve("x.qcow2"), ImageFormat.QCOW2, MIB, 0, 0);
        assertThatThrownBy(() -> img.create(existing, ImageFormat.QCOW2, MIB))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> img.info(dir.resolve("missing.qcow2")))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("does not exist");
    }
}
