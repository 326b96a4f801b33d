package io.livezone.lab;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.qemu.qmp.QmpClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the QEMU processes themselves say, not what the control plane believes: every {@code
 * qemu-system} process whose command line mentions a folder, with the run state its monitor reports
 * ({@code query-status}) and the CPU ticks of its vCPU threads. A zone "runs" where a copy's run
 * state is {@code running}; tests and fault benchmarks judge the registry against this census.
 */
public final class QemuCensus {
    private static final Pattern NAME = Pattern.compile("-name (\\S+?)-(i\\d+),debug-threads=on");
    private static final Pattern QMP = Pattern.compile("-qmp unix:(\\S+?),server=on");
    private static final Duration ASK_FOR = Duration.ofSeconds(10);

    private QemuCensus() {}

    /**
     * One QEMU process of a zone.
     *
     * @param host the host folder it runs under ({@code …/hosts/HOST/…}), or "" outside a cluster
     * @param runState QMP's status ({@code running}, {@code paused}, {@code inmigrate}, {@code
     *     postmigrate}, …), or {@code unknown: REASON} when the monitor did not answer
     * @param vcpuTicks user+system clock ticks of its {@code CPU n/…} threads so far
     */
    public record Copy(
            long pid,
            String zone,
            String instance,
            String host,
            Path qmpSocket,
            String runState,
            long vcpuTicks) {
        public boolean running() {
            return "running".equals(runState);
        }
    }

    /** A zone's QEMU process, found by its command line alone (nothing asked of it). */
    public record Process(long pid, String zone, String instance, String host, Path qmpSocket) {}

    /**
     * Every zone QEMU whose command line mentions {@code folder}, without asking any of them:
     * immediate even while a migration holds their monitors (fault injection needs that).
     */
    public static List<Process> processes(Path folder) {
        String mark = folder.toAbsolutePath().toString();
        List<Process> out = new ArrayList<>();
        ProcessHandle.allProcesses()
                .forEach(
                        p -> {
                            String cmd = p.info().commandLine().orElse("");
                            if (cmd.contains("qemu-system") && cmd.contains(mark)) {
                                identify(cmd)
                                        .ifPresent(
                                                id ->
                                                        out.add(
                                                                new Process(
                                                                        p.pid(),
                                                                        id.zone(),
                                                                        id.instance(),
                                                                        id.host(),
                                                                        id.qmpSocket())));
                            }
                        });
        return out;
    }

    /** Every QEMU whose command line mentions {@code folder}, each asked for its run state. */
    public static List<Copy> under(Path folder) {
        return processes(folder).stream()
                .map(
                        p ->
                                new Copy(
                                        p.pid(),
                                        p.zone(),
                                        p.instance(),
                                        p.host(),
                                        p.qmpSocket(),
                                        runState(p.qmpSocket()),
                                        vcpuTicks(p.pid())))
                .toList();
    }

    /** Which zone instance a QEMU command line runs, and its monitor socket. */
    record Identity(String zone, String instance, Path qmpSocket) {
        String host() {
            return hostOf(qmpSocket);
        }
    }

    static Optional<Identity> identify(String commandLine) {
        Matcher name = NAME.matcher(commandLine);
        Matcher qmp = QMP.matcher(commandLine);
        if (!name.find() || !qmp.find()) {
            return Optional.empty();
        }
        return Optional.of(new Identity(name.group(1), name.group(2), Path.of(qmp.group(1))));
    }

    static String hostOf(Path socket) {
        for (int i = 0; i + 1 < socket.getNameCount(); i++) {
            if (socket.getName(i).toString().equals("hosts")) {
                return socket.getName(i + 1).toString();
            }
        }
        return "";
    }

    /**
     * QEMU serves one monitor client at a time: while an agent holds the socket (a migration in
     * progress), connecting waits, so ask again until {@link #ASK_FOR} has passed.
     */
    private static String runState(Path socket) {
        long deadline = System.nanoTime() + ASK_FOR.toNanos();
        String problem = "no monitor socket";
        while (System.nanoTime() < deadline) {
            if (Files.exists(socket)) {
                try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(2))) {
                    JsonNode status = qmp.execute("query-status");
                    return status.path("status").asText("unknown: no status field");
                } catch (RuntimeException e) {
                    problem = String.valueOf(e.getMessage());
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "unknown: " + problem;
    }

    /** QEMU names its vCPU threads "CPU n/TCG" (or "/KVM") with debug-threads=on. */
    private static long vcpuTicks(long pid) {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).startsWith("CPU ")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    // Fields after the parenthesised name: utime and stime are the 12th and 13th.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks;
    }
}
