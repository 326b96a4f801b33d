package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The content of a disk or memory image as a set of fixed-size block hashes, the similarity measure
 * of VMScatter §4.5: two zones share every block whose hash they share, and a target that receives
 * both needs that block on the wire only once.
 *
 * <p>Read files as raw bytes: a raw disk image, a memory dump, or a QEMU migration/suspend stream
 * written to a file. A qcow2 file read this way is accepted, but its clusters are not page-aligned
 * guest content (headers, L1/L2 tables, compressed clusters), so similarity is underestimated:
 * convert with {@code qemu-img convert -O raw} first. Likewise a migration stream interleaves page
 * headers with page data, so stream blocks line up with guest pages only by accident; a raw memory
 * dump ({@code dump-guest-memory}) or raw disk is the faithful input.
 *
 * <p>All-zero blocks are left out: QEMU sends a zero page as a flag, not 4 KiB of data, so they
 * cost (almost) nothing on the wire and must not make unrelated zones look alike. A short final
 * block is zero-padded to the block size. Each block is hashed with SHA-256 and the first 8 bytes
 * kept: with a million distinct blocks the chance that two collide is about 3 × 10⁻⁸.
 *
 * <p>Memory: reading streams through one block buffer and collects 8 bytes per non-zero block (a
 * 256 MiB image of 65,536 blocks needs at most 512 KiB); the result keeps one sorted long per
 * distinct block.
 */
public final class BlockFingerprints {
    /** A page on x86-64, and the unit QEMU migrates RAM in. */
    public static final int DEFAULT_BLOCK_SIZE = 4096;

    private final int blockSize;
    private final long[] hashes;
    private final long totalBlocks;
    private final long zeroBlocks;

    private BlockFingerprints(int blockSize, long[] sortedDistinct, long totalBlocks, long zero) {
        this.blockSize = blockSize;
        this.hashes = sortedDistinct;
        this.totalBlocks = totalBlocks;
        this.zeroBlocks = zero;
    }

    /** Fingerprints of {@code file} in {@link #DEFAULT_BLOCK_SIZE} blocks. */
    public static BlockFingerprints of(Path file) throws IOException {
        return of(file, DEFAULT_BLOCK_SIZE);
    }

    public static BlockFingerprints of(Path file, int blockSize) throws IOException {
        Objects.requireNonNull(file, "file is null");
        checkBlockSize(blockSize);
        try (InputStream in = Files.newInputStream(file)) {
            return of(in, blockSize);
        }
    }

    /** Fingerprints of everything {@code in} yields until its end; does not close it. */
    public static BlockFingerprints of(InputStream in, int blockSize) throws IOException {
        Objects.requireNonNull(in, "in is null");
        checkBlockSize(blockSize);
        MessageDigest sha256 = sha256();
        byte[] block = new byte[blockSize];
        long[] found = new long[1024];
        int count = 0;
        long total = 0;
        long zero = 0;
        while (true) {
            int read = in.readNBytes(block, 0, blockSize);
            if (read == 0) {
                break;
            }
            Arrays.fill(block, read, blockSize, (byte) 0);
            total++;
            if (isZero(block)) {
                zero++;
            } else {
                if (count == found.length) {
                    found = Arrays.copyOf(found, count * 2);
                }
                found[count++] = hash(sha256, block);
            }
            if (read < blockSize) {
                break;
            }
        }
        return new BlockFingerprints(blockSize, sortedDistinct(found, count), total, zero);
    }

    /**
     * Fingerprints from block hashes computed elsewhere (or synthesised, in simulations);
     * duplicates are collapsed. {@code totalBlocks} counts all blocks of the image including {@code
     * zeroBlocks}.
     */
    public static BlockFingerprints ofHashes(
            int blockSize, long[] hashes, long totalBlocks, long zeroBlocks) {
        checkBlockSize(blockSize);
        Objects.requireNonNull(hashes, "hashes is null");
        if (zeroBlocks < 0 || totalBlocks < zeroBlocks + hashes.length) {
            throw new InvalidInputException(
                    "need 0 <= zero blocks and zero + hashed blocks <= total blocks, got "
                            + zeroBlocks
                            + " zero, "
                            + hashes.length
                            + " hashed, "
                            + totalBlocks
                            + " total");
        }
        return new BlockFingerprints(
                blockSize, sortedDistinct(hashes.clone(), hashes.length), totalBlocks, zeroBlocks);
    }

    /** Convenience for {@link #ofHashes(int, long[], long, long)} with no zero blocks. */
    public static BlockFingerprints ofHashes(int blockSize, long... hashes) {
        return ofHashes(blockSize, hashes, hashes.length, 0);
    }

    public int blockSize() {
        return blockSize;
    }

    /** Distinct hashes of the non-zero blocks, ascending. A copy. */
    public long[] hashes() {
        return hashes.clone();
    }

    /** Distinct non-zero blocks: what this image alone puts on the wire, in blocks. */
    public int distinctBlocks() {
        return hashes.length;
    }

    /** Every block read, zero ones included. */
    public long totalBlocks() {
        return totalBlocks;
    }

    public long zeroBlocks() {
        return zeroBlocks;
    }

    /** Non-zero blocks that repeat an earlier block of the same image. */
    public long duplicateBlocks() {
        return totalBlocks - zeroBlocks - hashes.length;
    }

    /** How many distinct non-zero blocks both images hold. */
    public int sharedBlocks(BlockFingerprints other) {
        Objects.requireNonNull(other, "other is null");
        int shared = 0;
        int i = 0;
        int j = 0;
        while (i < hashes.length && j < other.hashes.length) {
            int c = Long.compare(hashes[i], other.hashes[j]);
            if (c == 0) {
                shared++;
                i++;
                j++;
            } else if (c < 0) {
                i++;
            } else {
                j++;
            }
        }
        return shared;
    }

    /** Package-private view without the copy, for the grouping policy. */
    long[] sortedHashes() {
        return hashes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockFingerprints that
                && blockSize == that.blockSize
                && totalBlocks == that.totalBlocks
                && zeroBlocks == that.zeroBlocks
                && Arrays.equals(hashes, that.hashes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(blockSize, totalBlocks, zeroBlocks, Arrays.hashCode(hashes));
    }

    @Override
    public String toString() {
        return "BlockFingerprints[blockSize="
                + blockSize
                + ", total="
                + totalBlocks
                + ", zero="
                + zeroBlocks
                + ", distinct="
                + hashes.length
                + "]";
    }

    private static void checkBlockSize(int blockSize) {
        if (blockSize < 64 || Integer.bitCount(blockSize) != 1) {
            throw new InvalidInputException(
                    "block size must be a power of two >= 64 bytes, got " + blockSize);
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static long hash(MessageDigest sha256, byte[] block) {
        byte[] digest = sha256.digest(block);
        long h = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            h = (h << 8) | (digest[i] & 0xff);
        }
        return h;
    }

    private static long[] sortedDistinct(long[] values, int count) {
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                sorted[distinct++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, distinct);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest javadoc).
            throw new IllegalStateException(e);
        }
    }
}
