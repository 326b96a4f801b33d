package io.livezone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

class BlockFingerprintsTest {
    private static final int B = BlockFingerprints.DEFAULT_BLOCK_SIZE;

    @TempDir Path dir;

    /** A block filled with {@code value}. */
    private static byte[] block(int value) {
        byte[] block = new byte[B];
        Arrays.fill(block, (byte) value);
        return block;
    }

    private Path write(String name, byte[]... blocks) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] block : blocks) {
            out.write(block);
        }
        return Files.write(dir.resolve(name), out.toByteArray());
    }

    @Test
    void countsZeroDuplicateAndDistinctBlocksOfAFile() throws IOException {
        Path image = write("a.raw", block(1), block(0), block(2), block(1), block(0), block(3));

        BlockFingerprints fp = BlockFingerprints.of(image);

        assertThat(fp.blockSize()).isEqualTo(B);
        assertThat(fp.totalBlocks()).isEqualTo(6);
        assertThat(fp.zeroBlocks()).isEqualTo(2);
        assertThat(fp.distinctBlocks()).isEqualTo(3);
        assertThat(fp.duplicateBlocks()).isEqualTo(1);
        assertThat(fp.hashes()).isSorted().doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void filesSharingBlocksShareExactlyThoseHashesWhateverTheirOffsets() throws IOException {
        BlockFingerprints a = BlockFingerprints.of(write("a", block(1), block(2), block(3)));
        BlockFingerprints b =
                BlockFingerprints.of(write("b", block(0), block(3), block(9), block(1)));

        assertThat(a.sharedBlocks(b)).isEqualTo(2);
        assertThat(b.sharedBlocks(a)).isEqualTo(2);
        assertThat(a.sharedBlocks(a)).isEqualTo(3);
    }

    @Test
    void zeroBlocksNeverMakeImagesAlike() throws IOException {
        BlockFingerprints a = BlockFingerprints.of(write("a", block(0), block(0), block(5)));
        BlockFingerprints b = BlockFingerprints.of(write("b", block(0), block(6)));

        assertThat(a.sharedBlocks(b)).isZero();
        assertThat(BlockFingerprints.of(write("z", block(0), block(0))).distinctBlocks()).isZero();
    }

    @Test
    void shortLastBlockIsZeroPaddedAndAnEmptyFileHasNoBlocks() throws IOException {
        byte[] half = Arrays.copyOf(block(7), B / 2);
        byte[] padded = block(0);
        System.arraycopy(half, 0, padded, 0, half.length);
        BlockFingerprints shortFile = BlockFingerprints.of(write("s", block(1), half));
        BlockFingerprints fullFile = BlockFingerprints.of(write("f", padded));

        assertThat(shortFile.totalBlocks()).isEqualTo(2);
        assertThat(shortFile.sharedBlocks(fullFile)).isEqualTo(1);
        BlockFingerprints empty = BlockFingerprints.of(write("e"));
        assertThat(empty.totalBlocks()).isZero();
        assertThat(empty.distinctBlocks()).isZero();
    }

    @Test
    void blockSizeChangesTheGrain() throws IOException {
        // Two 4 KiB blocks that differ only in their second half share their first 2 KiB halves.
        byte[] x = block(1);
        byte[] y = block(1);
        Arrays.fill(y, B / 2, B, (byte) 2);
        Path file = write("g", x, y);

        assertThat(BlockFingerprints.of(file, B).distinctBlocks()).isEqualTo(2);
        assertThat(BlockFingerprints.of(file, B / 2).distinctBlocks()).isEqualTo(2);
        assertThat(BlockFingerprints.of(file, B / 2).duplicateBlocks()).isEqualTo(2);
    }

    @Test
    void sameContentSameFingerprints() throws IOException {
        assertThat(BlockFingerprints.of(write("p", block(4), block(8))))
                .isEqualTo(BlockFingerprints.of(write("q", block(4), block(8))));
    }

    @Test
    void rejectsBadBlockSizesAndInconsistentCounts() {
        assertThatThrownBy(() -> BlockFingerprints.ofHashes(1000, 1L))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> BlockFingerprints.ofHashes(B, new long[] {1, 2}, 1, 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("total blocks");
    }

    @Test
    void ofHashesCollapsesDuplicates() {
        BlockFingerprints fp = BlockFingerprints.ofHashes(B, 5, 3, 5, 1);

        assertThat(fp.hashes()).containsExactly(1, 3, 5);
        assertThat(fp.duplicateBlocks()).isEqualTo(1);
    }
}
