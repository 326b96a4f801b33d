package io.livezone.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The disk content checks against what the real guest disk writer (scripts/guest-disk-writer.sh,
 * run here with busybox on a file) writes, and against the damage they exist to find.
 */
class GuestDiskContentTest {
    private static final long MIB = 1 << 20;
    private static final Path WRITER = Path.of("../scripts/guest-disk-writer.sh");

    @TempDir Path dir;

    @Test
    void baseContentChecksOutAndAnyChangedByteIsFound() throws IOException {
        Path raw = dir.resolve("base.raw");
        GuestDiskContent.writeBase(raw, "world", 4 * MIB);

        GuestDiskContent.Check clean = GuestDiskContent.check(raw, "z1", "world", 4 * MIB);
        assertThat(clean.ok()).as(clean.toString()).isTrue();
        assertThat(clean.records()).isZero();
        assertThat(clean.slots()).isEqualTo(768);

        poke(raw, 512 * 1024, 'x');
        GuestDiskContent.Check changed = GuestDiskContent.check(raw, "z1", "world", 4 * MIB);
        assertThat(changed.problems())
                .singleElement()
                .asString()
                .contains("bytes at 524288")
                .contains("base image world");
        assertThat(GuestDiskContent.check(raw, "z1", "other", 4 * MIB).ok()).isFalse();
    }

    @Test
    void recordsOfTheGuestWriterCheckOutAlsoAfterTheRingWrapped() throws Exception {
        Path disk = writtenByGuestWriter("zone-a", 270);

        GuestDiskContent.Check check = GuestDiskContent.check(disk, "zone-a", null, 0);
        assertThat(check.ok()).as(check.toString()).isTrue();
        assertThat(check.slots()).isEqualTo(256);
        assertThat(check.maxSequence()).isEqualTo(270);
        assertThat(check.records()).isEqualTo(256);
    }

    @Test
    void lostTornAndForeignRecordsAreFound() throws Exception {
        Path disk = writtenByGuestWriter("zone-a", 270);
        long ring = GuestDiskContent.RING_OFFSET;
        int size = GuestDiskContent.RECORD_BYTES;

        // Record 265 never reached the disk, the ones after it did: its slot still holds 9.
        Path lost = copy(disk, "lost.raw");
        write(lost, ring + 8 * size, GuestDiskContent.record("zone-a", 9));
        assertThat(GuestDiskContent.check(lost, "zone-a", null, 0).problems())
                .anyMatch(p -> p.contains("slot 8 holds record 9") && p.contains("lost write"));

        // Half a record written over an older one.
        Path torn = copy(disk, "torn.raw");
        byte[] half = GuestDiskContent.record("zone-a", 5);
        write(torn, ring + 4 * size + size / 2, java.util.Arrays.copyOf(half, size / 2));
        assertThat(GuestDiskContent.check(torn, "zone-a", null, 0).problems())
                .anyMatch(p -> p.contains("damaged record at " + (ring + 4 * size)));

        // A slot that never got its record.
        Path missing = copy(disk, "missing.raw");
        write(missing, ring + 100 * size, new byte[size]);
        assertThat(GuestDiskContent.check(missing, "zone-a", null, 0).problems())
                .anyMatch(p -> p.contains("slot 100 lacks record 101"));

        // Another zone's disk.
        assertThat(GuestDiskContent.check(disk, "zone-b", null, 0).problems())
                .anyMatch(p -> p.contains("belongs to zone zone-a"));
    }

    /** Runs the guest's disk writer with busybox on a 2 MiB file (256 slots). */
    private Path writtenByGuestWriter(String zone, int records) throws Exception {
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "busybox not installed");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String applet :
                List.of("sh", "yes", "head", "dd", "stat", "printf", "crc32", "sleep", "cat")) {
            Files.createSymbolicLink(bin.resolve(applet), busybox);
        }
        Path disk = dir.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(2 * MIB);
        }
        ProcessBuilder pb =
                new ProcessBuilder(
                                busybox.toString(),
                                "sh",
                                WRITER.toString(),
                                zone,
                                disk.toString(),
                                String.valueOf(records))
                        .redirectErrorStream(true);
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("LZ_DISK_PAUSE", "0");
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out)
                .contains("LIVEZONE-DISK-WRITER zone=" + zone + " slots=256")
                .contains("LIVEZONE-DISK seq=" + (records / 10 * 10))
                .doesNotContain("ERROR");
        return disk;
    }

    private Path copy(Path disk, String name) throws IOException {
        return Files.copy(disk, dir.resolve(name));
    }

    private static void write(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(bytes);
        }
    }

    private static void poke(Path file, long offset, char c) throws IOException {
        write(file, offset, new byte[] {(byte) c});
    }
}
