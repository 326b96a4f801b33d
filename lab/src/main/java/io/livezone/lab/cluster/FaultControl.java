package io.livezone.lab.cluster;

import io.livezone.core.EnvironmentException;
import io.livezone.core.fault.Failpoints;
import io.livezone.network.HostNetwork;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real faults for a local cluster's processes and links: holds at a move's {@link Failpoints},
 * SIGSTOP/SIGCONT of an agent, and network partitions made of DROP rules inside the hosts'
 * namespaces (the cluster's own; nothing else is touched), and full disks made of small tmpfs
 * mounts inside the cluster's folder. Every rule added is remembered, so {@link #healAll} removes
 * exactly what this object added.
 */
public final class FaultControl {
    /** The cluster folder's subfolder whose files arm failpoints. */
    public static final String FOLDER = "failpoints";

    private final Path dir;
    private final String cluster;
    private final List<List<String>> rules = new ArrayList<>();

    public FaultControl(LocalCluster cluster) {
        this.dir = cluster.dir().resolve(FOLDER);
        this.cluster = cluster.state().name();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new EnvironmentException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The next process to reach {@code point} holds there until {@link #disarm}. */
    public void arm(String point) {
        try {
            Files.deleteIfExists(dir.resolve(Failpoints.checked(point) + ".reached"));
            Files.writeString(dir.resolve(point), "armed\n");
        } catch (IOException e) {
            throw new EnvironmentException("cannot arm " + point + ": " + e.getMessage(), e);
        }
    }

    /** Whether a process holds at {@code point} now (or did, since it was armed). */
    public boolean reached(String point) {
        return Files.exists(dir.resolve(Failpoints.checked(point) + ".reached"));
    }

    /** Lets a held process go on; the point no longer holds anyone. */
    public void disarm(String point) {
        try {
            Files.deleteIfExists(dir.resolve(Failpoints.checked(point)));
            Files.deleteIfExists(dir.resolve(point + ".reached"));
        } catch (IOException e) {
            throw new EnvironmentException("cannot disarm " + point + ": " + e.getMessage(), e);
        }
    }

    /** Drops every packet between {@code host} and {@code peer} (an address), both ways. */
    public void partition(String host, String peer) {
        addRule(host, "INPUT", "-s", peer);
        addRule(host, "OUTPUT", "-d", peer);
    }

    /** Removes every rule {@link #partition} added. */
    public void healAll() {
        List<String> problems = new ArrayList<>();
        for (List<String> rule : List.copyOf(rules)) {
            List<String> delete = new ArrayList<>(rule);
            delete.set(delete.indexOf("-I"), "-D");
            try {
                run(delete);
                rules.remove(rule);
            } catch (EnvironmentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new EnvironmentException("partition rules left: " + problems);
        }
    }

    /** The coordinator's (and gateway's) address on the host network. */
    public static String coordinatorAddress(LocalCluster cluster) {
        return URI.create(cluster.state().coordinatorUrl()).getHost();
    }

    /** The file {@link #fill} writes. */
    private static final String FILL = "lz-fault-fill";

    /**
     * Mounts a tmpfs of {@code kib} KiB on {@code folder} (created if needed) in the mount
     * namespace of process {@code pid} (0: this process's), so a fault can fill it without touching
     * any other file system. A host's agent runs in a mount namespace of its own ({@code ip netns
     * exec} makes one), where mounts of the root namespace do not appear. Whatever the folder held
     * is hidden until {@link #unmount}.
     */
    public static void mountSmallDisk(long pid, Path folder, long kib) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new EnvironmentException("cannot create " + folder + ": " + e.getMessage(), e);
        }
        run(
                in(
                        pid,
                        "mount",
                        "-t",
                        "tmpfs",
                        "-o",
                        "size=" + kib + "k",
                        "lz-fault",
                        folder.toString()));
    }

    /** Lazily unmounts what {@link #mountSmallDisk} mounted on {@code folder}; no-op if none. */
    public static void unmount(long pid, Path folder) {
        String target = folder.toAbsolutePath().normalize().toString();
        if (mountPoints(pid).contains(target)) {
            run(in(pid, "umount", "-l", target));
        }
    }

    /**
     * Where file systems are mounted in the mount namespace of process {@code pid} (0: this
     * process's); empty if the process (and its namespace) is gone.
     */
    public static List<String> mountPoints(long pid) {
        Path mounts = Path.of("/proc", pid == 0 ? "self" : Long.toString(pid), "mounts");
        try {
            return Files.readAllLines(mounts).stream()
                    .map(l -> l.split(" "))
                    .filter(f -> f.length > 1)
                    .map(f -> f[1])
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Fills the file system of {@code folder} to its last block with one file, so the next write
     * there fails with "No space left on device".
     */
    public static void fill(Path folder) {
        // dd stops, failing, when the disk is full: that is the point.
        run(
                List.of(
                        "sh",
                        "-c",
                        "dd if=/dev/zero of=\"$1\" bs=4k 2>/dev/null; sync; true",
                        "fill",
                        folder.resolve(FILL).toString()));
    }

    /** Removes what {@link #fill} wrote. */
    public static void unfill(Path folder) {
        try {
            Files.deleteIfExists(folder.resolve(FILL));
        } catch (IOException e) {
            throw new EnvironmentException("cannot free " + folder + ": " + e.getMessage(), e);
        }
    }

    /** {@code command}, run in the mount namespace of {@code pid} (0: this process's). */
    private static List<String> in(long pid, String... command) {
        List<String> out = new ArrayList<>();
        if (pid != 0) {
            out.addAll(List.of("nsenter", "-t", Long.toString(pid), "-m", "--"));
        }
        out.addAll(List.of(command));
        return out;
    }

    /** SIGSTOP (freeze) or SIGCONT of a process, e.g. an agent. */
    public static void signal(long pid, boolean stop) {
        run(List.of("kill", stop ? "-STOP" : "-CONT", Long.toString(pid)));
    }

    private void addRule(String host, String chain, String flag, String address) {
        List<String> rule =
                List.of(
                        "ip",
                        "netns",
                        "exec",
                        HostNetwork.namespaceOf(cluster, host),
                        "iptables",
                        "-w",
                        "10",
                        "-I",
                        chain,
                        flag,
                        address,
                        "-j",
                        "DROP");
        run(rule);
        rules.add(rule);
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            // Its few lines fit the pipe: wait first, so the timeout holds, then read.
            boolean ended = p.waitFor(30, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            String out = new String(p.getInputStream().readNBytes(4096));
            if (!ended || p.exitValue() != 0) {
                throw new EnvironmentException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new EnvironmentException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvironmentException("interrupted: " + String.join(" ", command));
        }
    }

    /** Waits until {@code point} is reached; false after {@code timeout}. */
    public boolean awaitReached(String point, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(point)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
