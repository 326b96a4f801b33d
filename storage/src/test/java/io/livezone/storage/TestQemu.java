package io.livezone.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.qemu.QemuBinary;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A guest-less QEMU for tests: PC machine, TCG, 32 MiB, paused ({@code -S}) or waiting for an
 * incoming migration. Its disks work (virtio-blk devices on a PCI bus) though no guest runs; writes
 * come from HMP {@code qemu-io} through the device's block backend, exactly the path guest writes
 * take.
 */
final class TestQemu implements AutoCloseable {
    private final String name;
    private final Process process;
    private final QmpClient qmp;
    private final Path log;

    private TestQemu(String name, Process process, QmpClient qmp, Path log) {
        this.name = name;
        this.process = process;
        this.qmp = qmp;
        this.log = log;
    }

    /** A zone VM that has not started its vCPUs. */
    static TestQemu paused(Path dir, String name, ZoneDisk... disks) {
        return start(dir, name, List.of("-S"), disks);
    }

    /** A migration destination ({@code -incoming defer}). */
    static TestQemu incoming(Path dir, String name, ZoneDisk... disks) {
        return start(dir, name, List.of("-incoming", "defer"), disks);
    }

    private static TestQemu start(Path dir, String name, List<String> extra, ZoneDisk... disks) {
        Path socket = dir.resolve(name + ".qmp");
        Path log = dir.resolve(name + ".log");
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                QemuBinary.path(),
                                "-name",
                                name,
                                "-machine",
                                "pc",
                                "-accel",
                                "tcg",
                                "-m",
                                "32",
                                "-nodefaults",
                                "-no-user-config",
                                "-display",
                                "none",
                                "-qmp",
                                "unix:" + socket + ",server=on,wait=off"));
        cmd.addAll(extra);
        for (ZoneDisk disk : disks) {
            cmd.addAll(disk.qemuArguments());
        }
        Process process;
        try {
            process =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd, e);
        }
        try {
            QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(20));
            return new TestQemu(name, process, qmp, log);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "QEMU " + name + " did not come up: " + readLog(log), e);
        }
    }

    QmpClient qmp() {
        return qmp;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Writes {@code pattern} through the disk's device, as the guest would. Tests check the result
     * in the image afterwards.
     */
    void write(ZoneDisk disk, int pattern, long offset, long length) {
        String out =
                qmp.execute(
                                "human-monitor-command",
                                Map.of(
                                        "command-line",
                                        "qemu-io -d "
                                                + disk.blockBackendPath()
                                                + " \"write -P "
                                                + pattern
                                                + " "
                                                + offset
                                                + " "
                                                + length
                                                + "\""))
                        .asText();
        // qemu-io reports success on QEMU's stdout; the monitor reply only carries errors.
        assertThat(out).as("qemu-io write on %s in %s", disk.id(), name).isBlank();
    }

    /** Resumes the vCPUs; on a migration destination this also activates its disks. */
    void cont() {
        qmp.execute("cont");
    }

    /** SIGKILL, as if the host died. */
    void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** Quits QEMU (flushing its images), or kills it if it does not quit in time. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                qmp.execute("quit", null, Duration.ofSeconds(5));
            } catch (QmpException e) {
                // gone or wedged: killed below
            }
            if (!waitForExit()) {
                process.destroyForcibly();
                waitForExit();
            }
        }
        qmp.close();
    }

    private boolean waitForExit() {
        try {
            return process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    String log() {
        return readLog(log);
    }

    private static String readLog(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
