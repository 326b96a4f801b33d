package io.livezone.link;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TcpToUnixForwarder} in a process of its own, so that the stream it carries outlives the
 * process that opened it.
 *
 * <p>Why: an incoming migration's stream must not die with the destination's agent. In post-copy
 * the destination VM is the only current copy; if its stream breaks, a vCPU or the main loop may
 * wait for a page that cannot come, and a QEMU whose main loop waits answers no new monitor client
 * — a restarted agent could neither recover nor end the migration. A relay process keeps the bytes
 * flowing while the agent is gone; the agent that comes back finds it with {@link #find}.
 *
 * <p>The relay ends by itself when the connection it carried has ended, or when no client came
 * within its wait; {@link #close()} ends it at once. It records its pid and port next to the target
 * socket ({@code <socket>.relay}), written once it listens and removed when it ends.
 */
public final class DetachedRelay implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final ProcessHandle process;
    private final int port;
    private final Path stateFile;

    private DetachedRelay(ProcessHandle process, int port, Path stateFile) {
        this.process = process;
        this.port = port;
        this.stateFile = stateFile;
    }

    /**
     * Starts a relay listening on {@code listen} (port 0: any free port) into {@code targetSocket},
     * with this JVM's java and class path; returns once it listens.
     *
     * @param waitForClient how long it waits for its one client before it ends
     * @throws IOException it could not start or did not come up (its output is in the message)
     */
    public static DetachedRelay start(
            InetSocketAddress listen, Path targetSocket, Duration waitForClient)
            throws IOException {
        Objects.requireNonNull(listen, "listen address is null");
        Path target = targetSocket.toAbsolutePath().normalize();
        Path state = stateFileOf(target);
        Path log = target.resolveSibling(target.getFileName() + ".relay.log");
        Files.deleteIfExists(state); // a stale record would fool the readiness check
        List<String> cmd = new ArrayList<>();
        // setsid: the relay ignores signals sent to the starter's process group or terminal.
        cmd.add("setsid");
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        // Before the class path: the JDK shows only a command line's first 4096 characters, and
        // a cluster's class path alone can be longer. This is how find() knows its relay.
        cmd.add(marker(target));
        String logConfig = System.getProperty("logback.configurationFile");
        if (logConfig != null) {
            cmd.add("-Dlogback.configurationFile=" + logConfig);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.add(DetachedRelayMain.class.getName());
        cmd.addAll(
                List.of(
                        listen.getAddress().getHostAddress(),
                        String.valueOf(listen.getPort()),
                        target.toString(),
                        String.valueOf(Math.max(1, waitForClient.toSeconds()))));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (true) {
                // Any relay's record for this socket is this one's: the old one was removed, and
                // a relay writes its record only when it starts.
                Optional<DetachedRelay> up = read(state);
                if (up.isPresent()) {
                    return up.get();
                }
                // setsid exits at once (status 0) if it had to fork: then only the record tells.
                boolean failed = !p.isAlive() && p.exitValue() != 0;
                if (failed || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IOException(
                            "relay into "
                                    + target
                                    + (failed ? " failed" : " did not start in time")
                                    + ": "
                                    + tail(log));
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting a relay into " + target, e);
        }
    }

    /** The relay that carries streams into {@code targetSocket}, if one runs. */
    public static Optional<DetachedRelay> find(Path targetSocket) {
        return read(stateFileOf(targetSocket.toAbsolutePath().normalize()));
    }

    private static Optional<DetachedRelay> read(Path state) {
        String[] fields;
        try {
            fields = Files.readString(state).strip().split(" ");
        } catch (IOException e) {
            return Optional.empty();
        }
        if (fields.length != 2) {
            return Optional.empty();
        }
        long pid;
        int port;
        try {
            pid = Long.parseLong(fields[0]);
            port = Integer.parseInt(fields[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        // The pid must still be this relay's, not a reused one.
        String marker = marker(targetOf(state));
        return ProcessHandle.of(pid)
                .filter(h -> h.info().commandLine().orElse("").contains(marker))
                .map(h -> new DetachedRelay(h, port, state));
    }

    /** The option that names a relay's target on its command line. */
    private static String marker(Path targetSocket) {
        return "-Dlivezone.relay=" + targetSocket;
    }

    private static Path targetOf(Path stateFile) {
        String name = stateFile.getFileName().toString();
        return stateFile.resolveSibling(name.substring(0, name.length() - ".relay".length()));
    }

    static Path stateFileOf(Path targetSocket) {
        return targetSocket.resolveSibling(targetSocket.getFileName() + ".relay");
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Ends the relay and the connection it carries (SIGTERM, then SIGKILL). Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                process.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            } catch (Exception e) {
                process.destroyForcibly();
            }
        }
        try {
            // A killed relay could not remove its record.
            if (read(stateFile).isEmpty()) {
                Files.deleteIfExists(stateFile);
            }
        } catch (IOException e) {
            // a stale record is ignored: its pid no longer runs a relay
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log).strip();
            return s.isEmpty() ? "(no output)" : s.substring(Math.max(0, s.length() - 1500));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    @Override
    public String toString() {
        return "DetachedRelay[pid " + process.pid() + ", port " + port + "]";
    }
}
