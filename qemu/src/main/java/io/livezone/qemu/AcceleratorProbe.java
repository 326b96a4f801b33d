package io.livezone.qemu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decides KVM or TCG by booting the guest kernel under KVM with a short timeout. An open /dev/kvm
 * is not enough: on some hosts the KVM API answers but guests abort or hang in early boot. The
 * answer is cached next to the image.
 */
public final class AcceleratorProbe {
    private static final Logger log = LoggerFactory.getLogger(AcceleratorProbe.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);

    private AcceleratorProbe() {}

    public static Accelerator detect(GuestImage image) {
        String forced = System.getenv("LIVEZONE_ACCEL");
        if (forced != null && !forced.isBlank()) {
            return Accelerator.valueOf(forced.trim().toUpperCase(java.util.Locale.ROOT));
        }
        Path cache = image.kernel().resolveSibling("accel");
        try {
            // The answer holds for this guest image and this QEMU: either changing means probing
            // again.
            String key = qemuVersion();
            if (Files.isRegularFile(cache)
                    && Files.getLastModifiedTime(cache)
                                    .compareTo(Files.getLastModifiedTime(image.initrd()))
                            >= 0) {
                String[] cached = Files.readString(cache).trim().split(" ", 2);
                if (cached.length == 2 && cached[1].equals(key)) {
                    return Accelerator.valueOf(cached[0]);
                }
            }
            Accelerator found = probe(image);
            Files.writeString(cache, found.name() + " " + key + "\n");
            return found;
        } catch (IOException e) {
            log.warn("accelerator probe failed ({}); using TCG", e.getMessage());
            return Accelerator.TCG;
        }
    }

    private static String qemuVersion() throws IOException {
        Process p =
                new ProcessBuilder(QemuBinary.path(), "--version")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return out.lines().findFirst().orElse("unknown").trim();
    }

    static Accelerator probe(GuestImage image) throws IOException {
        if (!Files.exists(Path.of("/dev/kvm"))) {
            return Accelerator.TCG;
        }
        Path dir = Files.createTempDirectory("lz-kvm-probe");
        Path console = dir.resolve("console.log");
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                QemuBinary.path(),
                                "-accel",
                                "kvm",
                                "-m",
                                "128M",
                                "-display",
                                "none",
                                "-nodefaults",
                                "-no-user-config",
                                "-no-reboot",
                                "-serial",
                                "file:" + console,
                                "-kernel",
                                image.kernel().toString(),
                                "-initrd",
                                image.initrd().toString(),
                                "-append",
                                "console=ttyS0 quiet panic=-1 lz.zone=probe"));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("qemu.out").toFile())
                        .start();
        try {
            long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && p.isAlive()) {
                if (Files.exists(console)
                        && Files.readString(console, StandardCharsets.ISO_8859_1)
                                .contains("LIVEZONE-GUEST-UP")) {
                    log.info("KVM boots guests on this host");
                    return Accelerator.KVM;
                }
                Thread.sleep(200);
            }
            log.info(
                    "KVM did not boot the guest within {} s; using TCG", PROBE_TIMEOUT.toSeconds());
            return Accelerator.TCG;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Accelerator.TCG;
        } finally {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
