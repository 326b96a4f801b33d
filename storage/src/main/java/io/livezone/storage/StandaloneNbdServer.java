package io.livezone.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.core.EnvironmentException;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves one image file over NBD on a unix socket without a VM: mode (b), where a zone's disk stays
 * on its host while the zone runs elsewhere. Prefers {@code qemu-storage-daemon} (QEMU's block
 * layer with a QMP monitor for a clean shutdown), falls back to {@code qemu-nbd}; both come with
 * Debian's qemu-utils. The export is writable and accepts any number of clients, which a migration
 * needs: source and destination QEMU are connected at the same time, and QEMU's migration hand-over
 * ensures only one of them writes.
 *
 * <p>The server is a child process of this JVM. All its files (socket, monitor, pid file, log) live
 * in the work folder given to {@link #start}; {@link #close()} stops the process and removes them.
 */
public final class StandaloneNbdServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneNbdServer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /** Which program serves the export. */
    public enum Implementation {
        STORAGE_DAEMON(QemuTool.QEMU_STORAGE_DAEMON),
        QEMU_NBD(QemuTool.QEMU_NBD);

        private final QemuTool tool;

        Implementation(QemuTool tool) {
            this.tool = tool;
        }

        /** True if the program is installed. */
        public boolean isAvailable() {
            return tool.find().isPresent();
        }
    }

    private final Implementation implementation;
    private final Process process;
    private final NbdEndpoint endpoint;
    private final Path workDir;
    private final List<Path> files;
    private final QmpClient monitor; // null for qemu-nbd
    private final AtomicBoolean closed = new AtomicBoolean();

    private StandaloneNbdServer(
            Implementation implementation,
            Process process,
            NbdEndpoint endpoint,
            Path workDir,
            List<Path> files,
            QmpClient monitor) {
        this.implementation = implementation;
        this.process = process;
        this.endpoint = endpoint;
        this.workDir = workDir;
        this.files = files;
        this.monitor = monitor;
    }

    /** Serves {@code image} with qemu-storage-daemon if installed, else qemu-nbd. */
    public static StandaloneNbdServer start(
            Path image, ImageFormat format, Path workDir, String exportName) {
        Implementation impl =
                Implementation.STORAGE_DAEMON.isAvailable()
                        ? Implementation.STORAGE_DAEMON
                        : Implementation.QEMU_NBD;
        return start(image, format, workDir, exportName, impl);
    }

    /**
     * Serves {@code image} as {@code exportName} on {@code workDir/nbd.sock} and returns once
     * clients can connect.
     *
     * @throws EnvironmentException the program is not installed
     * @throws NbdException it did not come up (its output is in the message)
     */
    public static StandaloneNbdServer start(
            Path image,
            ImageFormat format,
            Path workDir,
            String exportName,
            Implementation implementation) {
        Objects.requireNonNull(format, "format is null");
        Objects.requireNonNull(implementation, "implementation is null");
        Path file = image.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new StorageException("cannot serve " + file + ": no such image");
        }
        Path dir = workDir.toAbsolutePath().normalize();
        NbdEndpoint endpoint = new NbdEndpoint(dir.resolve("nbd.sock"), exportName);
        Path pidFile = dir.resolve("server.pid");
        Path log = dir.resolve("server.log");
        Path qmpSocket = dir.resolve("qmp.sock");
        NbdEndpoint.requireSocketPathFits(qmpSocket);
        Path program = implementation.tool.require();
        List<String> cmd =
                switch (implementation) {
                    case STORAGE_DAEMON ->
                            storageDaemonCommand(
                                    program, file, format, endpoint, qmpSocket, pidFile);
                    case QEMU_NBD -> qemuNbdCommand(program, file, format, endpoint, pidFile);
                };
        List<Path> files = List.of(endpoint.socket(), qmpSocket, pidFile, log);
        Process process = null;
        QmpClient monitor = null;
        try {
            Files.createDirectories(dir);
            for (Path f : files) {
                Files.deleteIfExists(f); // stale leftovers would fool the readiness check
            }
            process =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .start();
            // Both programs write the pid file only once the export accepts connections.
            awaitPidFile(process, pidFile, log, implementation);
            if (implementation == Implementation.STORAGE_DAEMON) {
                monitor = QmpClient.connect(qmpSocket, START_TIMEOUT);
            }
            LOG.debug("{} serves {} at {}", implementation, file, endpoint.uri());
            return new StandaloneNbdServer(implementation, process, endpoint, dir, files, monitor);
        } catch (IOException e) {
            stop(process, null, files);
            throw new EnvironmentException(
                    "cannot start " + program + " for " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            stop(process, monitor, files);
            throw e;
        }
    }

    private static List<String> storageDaemonCommand(
            Path program,
            Path image,
            ImageFormat format,
            NbdEndpoint endpoint,
            Path qmpSocket,
            Path pidFile) {
        if (qmpSocket.toString().contains(",")) {
            // --chardev only takes key=value options
            throw new IllegalArgumentException(
                    "work folder path must not contain ',': " + qmpSocket.getParent());
        }
        Map<String, Object> fileNode = new LinkedHashMap<>();
        fileNode.put("driver", "file");
        fileNode.put("node-name", "file0");
        fileNode.put("filename", image.toString());
        Map<String, Object> formatNode = new LinkedHashMap<>();
        formatNode.put("driver", format.qemuName());
        formatNode.put("node-name", "disk0");
        formatNode.put("file", "file0");
        Map<String, Object> export = new LinkedHashMap<>();
        export.put("type", "nbd");
        export.put("id", "export0");
        export.put("node-name", "disk0");
        export.put("name", endpoint.exportName());
        export.put("writable", true);
        List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(List.of("--blockdev", json(fileNode), "--blockdev", json(formatNode)));
        cmd.addAll(
                List.of(
                        "--nbd-server",
                        json(Map.of("addr", endpoint.qemuServerAddress())),
                        "--export",
                        json(export),
                        "--chardev",
                        "socket,id=qmp0,server=on,wait=off,path=" + qmpSocket,
                        "--monitor",
                        "chardev=qmp0",
                        "--pidfile",
                        pidFile.toString()));
        return cmd;
    }

    private static List<String> qemuNbdCommand(
            Path program, Path image, ImageFormat format, NbdEndpoint endpoint, Path pidFile) {
        return List.of(
                program.toString(),
                "--socket=" + endpoint.socket(),
                "--export-name=" + endpoint.exportName(),
                "--format=" + format.qemuName(),
                "--persistent",
                "--shared=0", // unlimited clients: source and destination during a migration
                "--cache=writeback",
                "--pid-file=" + pidFile,
                image.toString());
    }

    private static void awaitPidFile(Process process, Path pidFile, Path log, Implementation impl) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(pidFile)) {
            if (!process.isAlive()) {
                throw new NbdException(
                        impl
                                + " exited with status "
                                + process.exitValue()
                                + " before serving: "
                                + readLog(log));
            }
            if (System.nanoTime() > deadline) {
                throw new NbdException(
                        impl + " did not come up within " + START_TIMEOUT + ": " + readLog(log));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NbdException("interrupted while starting " + impl, e);
            }
        }
    }

    public NbdEndpoint endpoint() {
        return endpoint;
    }

    public Implementation implementation() {
        return implementation;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The folder holding the socket, pid file and log. */
    public Path workDir() {
        return workDir;
    }

    /**
     * Stops the server (QMP {@code quit} or, for qemu-nbd, SIGTERM; then SIGKILL if it lingers) and
     * removes its files. Connected clients see the connection drop. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            stop(process, monitor, files);
        }
    }

    private static void stop(Process process, QmpClient monitor, List<Path> files) {
        if (monitor != null) {
            try {
                monitor.execute("quit", null, STOP_TIMEOUT);
            } catch (QmpException e) {
                LOG.debug("quit via QMP failed, signalling instead: {}", e.getMessage());
            } finally {
                monitor.close();
            }
        }
        if (process != null) {
            if (monitor == null) {
                process.destroy(); // SIGTERM: qemu-nbd flushes, removes its socket and exits
            }
            if (!waitFor(process)) {
                process.destroy();
                if (!waitFor(process)) {
                    process.destroyForcibly();
                    if (!waitFor(process)) {
                        LOG.warn("NBD server process {} does not die", process.pid());
                    }
                }
            }
        }
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                LOG.warn("could not delete {}: {}", f, e.getMessage());
            }
        }
    }

    private static boolean waitFor(Process process) {
        try {
            return process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static String readLog(Path log) {
        try {
            return Optional.of(Files.readString(log).strip())
                    .filter(s -> !s.isEmpty())
                    .orElse("(no output)");
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value, e);
        }
    }

    @Override
    public String toString() {
        return "StandaloneNbdServer["
                + implementation
                + ", pid "
                + process.pid()
                + ", "
                + endpoint.uri()
                + "]";
    }
}
