package io.livezone.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Image fixtures: qemu-img for creation, qemu-io (same package, qemu-utils) for content. */
final class TestImages {
    static final long MIB = 1 << 20;

    private TestImages() {}

    /** Skips the test unless qemu-system-x86_64 and qemu-utils are installed. */
    static void assumeQemu() {
        assumeTrue(
                QemuTool.QEMU_IMG.find().isPresent()
                        && qemuIo().toFile().canExecute()
                        && findOnPath("qemu-system-x86_64"),
                "QEMU (qemu-system-x86 and qemu-utils) not installed");
    }

    static QemuImg qemuImg() {
        return QemuImg.locate();
    }

    /** An image of {@code size} bytes whose first {@code filled} bytes hold {@code pattern}. */
    static Path filled(Path image, ImageFormat format, long size, long filled, int pattern) {
        qemuImg().create(image, format, size);
        if (filled > 0) {
            write(image, pattern, 0, filled);
        }
        return image;
    }

    /** Writes {@code pattern} into an image that no process has open. */
    static void write(Path image, int pattern, long offset, long length) {
        io(image.toString(), false, "write -P " + pattern + " " + offset + " " + length);
    }

    /** Writes {@code pattern} through an NBD export. */
    static void write(NbdEndpoint export, int pattern, long offset, long length) {
        io(export.uri(), false, "write -P " + pattern + " " + offset + " " + length);
    }

    /** Asserts that the image reads back {@code pattern} in the range. */
    static void assertPattern(Path image, int pattern, long offset, long length) {
        assertPattern(image.toString(), pattern, offset, length);
    }

    /** Asserts that the export reads back {@code pattern} in the range. */
    static void assertPattern(NbdEndpoint export, int pattern, long offset, long length) {
        assertPattern(export.uri(), pattern, offset, length);
    }

    private static void assertPattern(String target, int pattern, long offset, long length) {
        String out = io(target, true, "read -P " + pattern + " " + offset + " " + length);
        assertThat(out)
                .as("%s holds 0x%x at [%d, +%d)", target, pattern, offset, length)
                .doesNotContain("Pattern verification failed")
                .contains("read " + length + "/" + length);
    }

    private static String io(String target, boolean readOnly, String command) {
        List<String> cmd = new ArrayList<>(List.of(qemuIo().toString()));
        if (readOnly) {
            cmd.add("-r");
        }
        if (target.startsWith("nbd")) {
            cmd.addAll(List.of("-f", "raw")); // the export shows guest bytes; don't probe them
        }
        cmd.addAll(List.of("-c", command, target));
        ExternalCommand.Result r = ExternalCommand.run(cmd, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as("qemu-io %s on %s: %s", command, target, r.stderr()).isZero();
        return r.stdout();
    }

    private static Path qemuIo() {
        return QemuTool.QEMU_IMG.require().resolveSibling("qemu-io");
    }

    private static boolean findOnPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Path.of(dir, program).toFile().canExecute()) {
                return true;
            }
        }
        return false;
    }
}
