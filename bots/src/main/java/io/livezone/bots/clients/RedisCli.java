package io.livezone.bots.clients;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Debian's {@code redis-cli}, unmodified, as a player-side tool: {@link #repeat} keeps one
 * connection and sends a command every interval ({@code -r -1 -i}), collecting each reply line.
 */
public final class RedisCli implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private long lastLineNanos;
    private long maxGapNanos;

    private RedisCli(Process process) {
        this.process = process;
        pump(process.getInputStream(), this::line);
        pump(process.getErrorStream(), this::error);
    }

    /** {@code redis-cli -r -1 -i SECONDS COMMAND...}: one connection, the command forever. */
    public static RedisCli repeat(InetSocketAddress server, double seconds, String... command)
            throws IOException {
        List<String> args = base(server);
        args.addAll(List.of("-r", "-1", "-i", Double.toString(seconds)));
        args.addAll(List.of(command));
        return new RedisCli(start(args));
    }

    /** The server's {@code total_connections_received} (this query's connection included). */
    public static long totalConnections(InetSocketAddress server) throws Exception {
        String out = once(server, "INFO", "stats");
        return out.lines()
                .filter(l -> l.startsWith("total_connections_received:"))
                .map(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no connection count in: " + out));
    }

    /** {@code redis-cli COMMAND...} once, on a connection of its own; its output, trimmed. */
    public static String once(InetSocketAddress server, String... command) throws Exception {
        List<String> args = base(server);
        args.addAll(List.of(command));
        Process p = start(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("redis-cli " + List.of(command) + " failed: " + out);
        }
        return out.strip();
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until {@code count} replies came; fails with what came instead. */
    public synchronized void awaitLines(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !process.isAlive()) {
                throw new IllegalStateException(
                        "redis-cli: "
                                + lines.size()
                                + " of "
                                + count
                                + " replies (alive "
                                + process.isAlive()
                                + ", stderr "
                                + errors
                                + ")");
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 100_000_000L));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private synchronized void line(String line) {
        long now = System.nanoTime();
        if (lastLineNanos != 0) {
            maxGapNanos = Math.max(maxGapNanos, now - lastLineNanos);
        }
        lastLineNanos = now;
        lines.add(line.trim());
        notifyAll();
    }

    /** Longest time between two replies so far, in milliseconds. */
    public synchronized double maxGapMillis() {
        return maxGapNanos / 1e6;
    }

    private synchronized void error(String line) {
        errors.add(line);
        notifyAll();
    }

    private static List<String> base(InetSocketAddress server) {
        return new ArrayList<>(
                List.of(
                        "redis-cli",
                        "-h",
                        server.getAddress().getHostAddress(),
                        "-p",
                        Integer.toString(server.getPort())));
    }

    private static Process start(List<String> args) throws IOException {
        return new ProcessBuilder(args)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    private static void pump(InputStream in, Consumer<String> sink) {
        Thread.ofVirtual()
                .start(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(in, StandardCharsets.UTF_8))) {
                                for (String l; (l = r.readLine()) != null; ) {
                                    sink.accept(l);
                                }
                            } catch (IOException e) {
                                // the process ended
                            }
                        });
    }
}
