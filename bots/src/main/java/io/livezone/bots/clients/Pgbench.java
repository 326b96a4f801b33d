package io.livezone.bots.clients;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own {@code pgbench} and {@code psql}, unmodified, as the players of a database zone:
 * the TPC-B-like default script, whose every committed transaction appends one row to {@code
 * pgbench_history}, so after a run that table must hold exactly the transactions pgbench counted.
 * pgbench never reconnects (without {@code -C}): a broken connection aborts its client.
 */
public final class Pgbench {
    /**
     * What a run reports.
     *
     * @param processed transactions committed and counted
     * @param failed transactions that failed (pgbench's serialization/deadlock failures)
     * @param abortedClients clients whose connection or command broke
     * @param tps transactions per second
     * @param latencyAvgMs average transaction latency
     * @param exitCode pgbench's exit code (0: no client aborted)
     * @param output what pgbench printed, for the record
     */
    public record Result(
            long processed,
            long failed,
            int abortedClients,
            double tps,
            double latencyAvgMs,
            int exitCode,
            String output) {}

    private final Path pgbench;
    private final InetSocketAddress server;

    /**
     * @param pgbench the pgbench binary ({@code build/tools/pgbench}, unpacked by the set-up)
     */
    public Pgbench(Path pgbench, InetSocketAddress server) {
        this.pgbench = pgbench;
        this.server = server;
    }

    /** {@code pgbench -i -s SCALE}: creates and fills the tables. */
    public void initialize(int scale, Duration timeout) throws IOException, InterruptedException {
        Finished f = finish(start(List.of("-i", "-q", "-s", Integer.toString(scale))), timeout);
        if (f.exitCode != 0) {
            throw new IOException("pgbench -i failed (exit " + f.exitCode + "): " + f.output);
        }
    }

    /**
     * Starts {@code pgbench -c CLIENTS -R RATE -T SECONDS}: transactions at a steady rate (as a
     * game's backend sends them), not as fast as the server can; {@link Running#await} gives the
     * result.
     */
    public Running run(int clients, int ratePerSecond, Duration duration) throws IOException {
        return new Running(
                start(
                        List.of(
                                "-n",
                                "-c",
                                Integer.toString(clients),
                                "-j",
                                "1",
                                "-R",
                                Integer.toString(ratePerSecond),
                                "-T",
                                Long.toString(duration.toSeconds()))),
                duration);
    }

    /** {@code psql -At -c SQL}: the single value it prints. */
    public String query(String sql) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(
                                "psql",
                                "-h",
                                server.getAddress().getHostAddress(),
                                "-p",
                                Integer.toString(server.getPort()),
                                "-U",
                                "postgres",
                                "-At",
                                "-c",
                                sql,
                                "postgres")
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
        Finished f = finish(p, Duration.ofSeconds(60));
        if (f.exitCode != 0) {
            throw new IOException("psql failed (exit " + f.exitCode + "): " + f.output);
        }
        return f.output.strip();
    }

    /** A pgbench run in progress; closing it ends the run at once. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Duration duration;

        private Running(Process process, Duration duration) {
            this.process = process;
            this.duration = duration;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }

        /** Waits for the run to end (its duration and a minute more at most). */
        public Result await() throws IOException, InterruptedException {
            Finished f = finish(process, duration.plusMinutes(1));
            return parse(f.output, f.exitCode);
        }
    }

    private Process start(List<String> args) throws IOException {
        if (!Files.isExecutable(pgbench)) {
            throw new IOException("no pgbench at " + pgbench + " (the set-up unpacks it)");
        }
        List<String> command = new ArrayList<>();
        command.add(pgbench.toString());
        command.addAll(
                List.of(
                        "-h",
                        server.getAddress().getHostAddress(),
                        "-p",
                        Integer.toString(server.getPort()),
                        "-U",
                        "postgres"));
        command.addAll(args);
        command.add("postgres");
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    private record Finished(int exitCode, String output) {}

    private static Finished finish(Process p, Duration timeout)
            throws IOException, InterruptedException {
        // Read while it runs: a full pipe would stop it.
        StringBuilder out = new StringBuilder();
        Thread reader =
                Thread.ofVirtual()
                        .start(
                                () -> {
                                    try {
                                        String all =
                                                new String(
                                                        p.getInputStream().readAllBytes(),
                                                        StandardCharsets.UTF_8);
                                        synchronized (out) {
                                            out.append(all);
                                        }
                                    } catch (IOException e) {
                                        // the process ended
                                    }
                                });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            reader.join(5000);
            throw new IOException("pgbench did not end within " + timeout + ": " + out);
        }
        reader.join(5000);
        synchronized (out) {
            return new Finished(p.exitValue(), out.toString());
        }
    }

    private static final Pattern PROCESSED =
            Pattern.compile("number of transactions actually processed: (\\d+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");

    static Result parse(String output, int exitCode) {
        int aborted = 0;
        for (String line : output.split("\n")) {
            if (line.contains("aborted in command") || line.contains("aborted while")) {
                aborted++;
            }
        }
        return new Result(
                number(PROCESSED, output),
                number(FAILED, output),
                aborted,
                decimal(TPS, output),
                decimal(LATENCY, output),
                exitCode,
                output);
    }

    private static long number(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static double decimal(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
