package io.livezone.qemu;

import io.livezone.core.EnvironmentException;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds qemu-system-x86_64, with an error that says how to install it. */
public final class QemuBinary {
    private QemuBinary() {}

    public static String path() {
        String override = System.getProperty("livezone.qemu", System.getenv("LIVEZONE_QEMU"));
        if (override != null && !override.isBlank()) {
            if (!Files.isExecutable(Path.of(override))) {
                throw new EnvironmentException(
                        "QEMU binary " + override + " is not an executable file");
            }
            return override;
        }
        for (String dir :
                System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "qemu-system-x86_64");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new EnvironmentException(
                "QEMU is missing: qemu-system-x86_64 is not on PATH "
                        + "(install it with: apt-get install qemu-system-x86)");
    }
}
