package io.livezone.storage;

import io.livezone.core.EnvironmentException;
import io.livezone.core.LiveZoneException;
import io.livezone.qemu.QemuBinary;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The QEMU helper programs this module runs. All of them ship in Debian's {@code qemu-utils}
 * package (not in {@code qemu-system-x86}).
 *
 * <p>Lookup order: the system property {@code livezone.<name>} (e.g. {@code livezone.qemu-img}),
 * the environment variable {@code LIVEZONE_<NAME>} ({@code LIVEZONE_QEMU_IMG}), the folder of the
 * {@code qemu-system-x86_64} that {@link QemuBinary} picked (so a custom QEMU build brings its own
 * tools), then {@code PATH}.
 */
enum QemuTool {
    QEMU_IMG("qemu-img"),
    QEMU_NBD("qemu-nbd"),
    QEMU_STORAGE_DAEMON("qemu-storage-daemon");

    private final String program;

    QemuTool(String program) {
        this.program = program;
    }

    String program() {
        return program;
    }

    /** The tool's path, or an {@link EnvironmentException} that says how to install it. */
    Path require() {
        return find().orElseThrow(
                        () ->
                                new EnvironmentException(
                                        program
                                                + " is missing: it is not on PATH nor next to"
                                                + " qemu-system-x86_64 (install it with: apt-get"
                                                + " install qemu-utils, or set -Dlivezone."
                                                + program
                                                + "=/path/to/"
                                                + program
                                                + ")"));
    }

    Optional<Path> find() {
        String override =
                System.getProperty(
                        "livezone." + program,
                        System.getenv(
                                "LIVEZONE_" + program.toUpperCase(Locale.ROOT).replace('-', '_')));
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override);
            if (!Files.isExecutable(path)) {
                throw new EnvironmentException(
                        program + " override " + override + " is not an executable file");
            }
            return Optional.of(path);
        }
        for (Path dir : searchPath()) {
            Path candidate = dir.resolve(program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        try {
            Path qemuDir = Path.of(QemuBinary.path()).toAbsolutePath().getParent();
            if (qemuDir != null) {
                dirs.add(qemuDir);
            }
        } catch (LiveZoneException e) {
            // No qemu-system-x86_64: the tools may still be installed on their own.
        }
        for (String dir :
                System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        return dirs;
    }
}
