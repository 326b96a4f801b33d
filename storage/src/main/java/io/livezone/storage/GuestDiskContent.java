package io.livezone.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The content LiveZone puts on zone disks so that any host can check a disk after it moved: base
 * images with known blocks, and the records the zone guest's disk writer appends
 * (scripts/guest-init.sh, enabled by {@code lz.diskwriter=1}; the two must stay in step).
 *
 * <ul>
 *   <li>Base image: block {@code k} (64 KiB) holds 1024 lines of 64 bytes, {@code "LZBASE <name>
 *       <k>"} padded with dots and ended by a newline.
 *   <li>Record ring: {@link #slots} slots of 4 KiB from {@link #RING_OFFSET} on. Record {@code s}
 *       (from 1) goes to slot {@code (s-1) mod slots}; it is 64 copies of the 64-byte line {@code
 *       "LZR <zone> <s> <crc>"} padded with dots, where {@code crc} is the CRC-32 (8 hex digits) of
 *       {@code "LZR <zone> <s>"}.
 * </ul>
 *
 * A disk checks out if every record in it is intact, each slot holds exactly the newest record the
 * highest sequence number implies (a slot holding an older record, or none, means a lost write),
 * and every byte outside the records is the base image's (or zero beyond it).
 */
public final class GuestDiskContent {
    public static final long RING_OFFSET = 1 << 20;
    public static final int RECORD_BYTES = 4096;
    public static final int MAX_SLOTS = 2048;
    public static final int BASE_BLOCK_BYTES = 64 * 1024;

    private static final int LINE = 64;
    private static final int MAX_PROBLEMS = 20;

    private GuestDiskContent() {}

    /** How many record slots the guest uses on a disk of {@code diskBytes}. */
    public static int slots(long diskBytes) {
        return (int) Math.max(0, Math.min(MAX_SLOTS, (diskBytes - RING_OFFSET) / RECORD_BYTES));
    }

    /** Writes a new raw image of {@code size} bytes (a multiple of 64 KiB) with base content. */
    public static void writeBase(Path raw, String name, long size) throws IOException {
        Objects.requireNonNull(name, "name is null");
        if (size <= 0 || size % BASE_BLOCK_BYTES != 0) {
            throw new IllegalArgumentException(
                    "base size must be a positive multiple of 64 KiB, got " + size);
        }
        try (OutputStream out =
                Files.newOutputStream(raw, java.nio.file.StandardOpenOption.CREATE_NEW)) {
            for (long k = 0; k < size / BASE_BLOCK_BYTES; k++) {
                out.write(baseBlock(name, k));
            }
        }
    }

    /** The bytes of base block {@code k} of image {@code name}. */
    static byte[] baseBlock(String name, long k) {
        return repeat(line("LZBASE " + name + " " + k), BASE_BLOCK_BYTES / LINE);
    }

    /** The bytes of record {@code seq} of zone {@code zone}. */
    static byte[] record(String zone, long seq) {
        String head = "LZR " + zone + " " + seq;
        return repeat(line(head + " " + crc(head)), RECORD_BYTES / LINE);
    }

    /** What a check of a disk found. */
    public record Check(
            String zone, long maxSequence, int records, int slots, List<String> problems) {
        public Check {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }

        @Override
        public String toString() {
            return "disk of zone "
                    + zone
                    + ": "
                    + records
                    + " records in "
                    + slots
                    + " slots, highest sequence "
                    + maxSequence
                    + (ok() ? ", intact" : ", PROBLEMS: " + problems);
        }
    }

    /**
     * Checks an image of a zone disk (an overlay is read through its backing chain), also while a
     * VM has it open: pause the zone first, or the newest record may be half-written.
     *
     * @param baseName the base image's name, or null if the disk has none
     * @param baseSize the base image's virtual size (0 without base)
     */
    public static Check checkImage(
            QemuImg qemuImg, Path image, String zone, String baseName, long baseSize) {
        Path raw;
        try {
            raw = Files.createTempFile(image.toAbsolutePath().getParent(), ".lz-check-", ".raw");
            Files.delete(raw); // qemu-img creates it
        } catch (IOException e) {
            throw new StorageException("cannot check " + image + ": no scratch file", e);
        }
        try {
            qemuImg.toRaw(image, raw);
            return check(raw, zone, baseName, baseSize);
        } catch (IOException e) {
            throw new StorageException("cannot check " + image + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException ignored) {
                // a stray scratch file says what it is
            }
        }
    }

    /** Checks the raw bytes of a zone disk. */
    public static Check check(Path raw, String zone, String baseName, long baseSize)
            throws IOException {
        long size = Files.size(raw);
        int slots = slots(size);
        List<String> problems = new ArrayList<>();
        long[] found = new long[slots];
        Arrays.fill(found, -1);
        long max = 0;
        int records = 0;
        BaseBlocks base = new BaseBlocks(baseName, baseSize);
        try (InputStream in = Files.newInputStream(raw)) {
            byte[] chunk = new byte[RECORD_BYTES];
            for (long offset = 0; offset < size; offset += RECORD_BYTES) {
                int n = in.readNBytes(chunk, 0, (int) Math.min(RECORD_BYTES, size - offset));
                byte[] bytes = n == RECORD_BYTES ? chunk : Arrays.copyOf(chunk, n);
                long slot = (offset - RING_OFFSET) / RECORD_BYTES;
                boolean inRing = offset >= RING_OFFSET && slot < slots;
                if (inRing && looksLikeRecord(bytes)) {
                    long seq = parseRecord(bytes, zone, offset, problems);
                    if (seq > 0) {
                        records++;
                        found[(int) slot] = seq;
                        max = Math.max(max, seq);
                        if ((seq - 1) % slots != slot) {
                            problem(
                                    problems,
                                    "record " + seq + " is in slot " + slot + " at " + offset);
                        }
                    }
                } else if (!base.matches(bytes, offset)) {
                    problem(
                            problems,
                            "bytes at "
                                    + offset
                                    + " are neither a record nor the "
                                    + (baseName == null || offset >= baseSize
                                            ? "zeros of an unwritten disk"
                                            : "content of base image " + baseName));
                }
            }
        }
        for (int j = 0; j < slots; j++) {
            long expected = max >= j + 1 ? j + 1 + ((max - 1 - j) / slots) * slots : -1;
            if (found[j] > 0 && found[j] != expected) {
                problem(
                        problems,
                        "slot "
                                + j
                                + " holds record "
                                + found[j]
                                + " but record "
                                + expected
                                + " was written after it (lost write)");
            } else if (found[j] < 0 && expected > 0) {
                problem(problems, "slot " + j + " lacks record " + expected + " (lost write)");
            }
        }
        return new Check(zone, max, records, slots, problems);
    }

    private static boolean looksLikeRecord(byte[] bytes) {
        for (int i = 0; i + 4 <= bytes.length; i += LINE) {
            if (bytes[i] == 'L'
                    && bytes[i + 1] == 'Z'
                    && bytes[i + 2] == 'R'
                    && bytes[i + 3] == ' ') {
                return true;
            }
        }
        return false;
    }

    /** The record's sequence number, or 0 (and a problem) if it is damaged. */
    private static long parseRecord(byte[] bytes, String zone, long offset, List<String> problems) {
        String text = new String(bytes, 0, Math.min(LINE, bytes.length), StandardCharsets.US_ASCII);
        String[] parts = stripPadding(text).split(" ");
        long seq = 0;
        if (parts.length == 4 && parts[0].equals("LZR") && !parts[1].isEmpty()) {
            try {
                seq = Long.parseLong(parts[2]);
            } catch (NumberFormatException e) {
                seq = 0;
            }
        }
        if (seq <= 0 || !Arrays.equals(bytes, record(parts[1], seq))) {
            // also a record with other lines than its first: torn or overwritten in part
            problem(problems, "damaged record at " + offset + ": " + stripPadding(text));
            return 0;
        }
        if (!parts[1].equals(zone)) {
            problem(problems, "record at " + offset + " belongs to zone " + parts[1]);
            return 0;
        }
        return seq;
    }

    /** The base image's expected bytes, one 64 KiB block generated at a time. */
    private static final class BaseBlocks {
        private final String name;
        private final long size;
        private long block = -1;
        private byte[] bytes;

        BaseBlocks(String name, long size) {
            this.name = name;
            this.size = size;
        }

        boolean matches(byte[] chunk, long offset) {
            if (name == null || offset >= size) {
                for (byte b : chunk) {
                    if (b != 0) {
                        return false;
                    }
                }
                return true;
            }
            long k = offset / BASE_BLOCK_BYTES;
            if (k != block) {
                bytes = baseBlock(name, k);
                block = k;
            }
            int within = (int) (offset % BASE_BLOCK_BYTES);
            return Arrays.equals(chunk, 0, chunk.length, bytes, within, within + chunk.length);
        }
    }

    private static String stripPadding(String line) {
        int end = line.indexOf('.');
        int newline = line.indexOf('\n');
        if (end < 0 || (newline >= 0 && newline < end)) {
            end = newline < 0 ? line.length() : newline;
        }
        return line.substring(0, end);
    }

    private static String line(String text) {
        if (text.length() > LINE - 1) {
            throw new IllegalArgumentException("line too long: " + text);
        }
        return text + ".".repeat(LINE - 1 - text.length()) + "\n";
    }

    private static byte[] repeat(String line, int times) {
        return line.repeat(times).getBytes(StandardCharsets.US_ASCII);
    }

    private static String crc(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        return String.format("%08x", crc.getValue());
    }

    private static void problem(List<String> problems, String what) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(what);
        } else if (problems.size() == MAX_PROBLEMS) {
            problems.add("...");
        }
    }
}
