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
     * Mounts a tmpfs of {@code mib} MiB on {@code folder} (created if needed), so a fault can fill
     * it without touching any other file system. Whatever the folder held is hidden until {@link
     * #unmount}.
     */
    public static void mountSmallDisk(Path folder, long mib) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new EnvironmentException("cannot create " + folder + ": " + e.getMessage(), e);
        }
        run(
                List.of(
                        "mount",
                        "-t",
                        "tmpfs",
                        "-o",
                        "size=" + mib + "m",
                        "lz-fault",
                        folder.toString()));
    }

    /** Lazily unmounts what {@link #mountSmallDisk} mounted on {@code folder}; no-op if none. */
    public static void unmount(Path folder) {
        if (isMountPoint(folder)) {
            run(List.of("umount", "-l", folder.toString()));
        }
    }

    /** Whether a file system is mounted exactly on {@code folder}. */
    public static boolean isMountPoint(Path folder) {
        String target = folder.toAbsolutePath().normalize().toString();
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .map(l -> l.split(" "))
                    .anyMatch(f -> f.length > 1 && f[1].equals(target));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Fills the file system of {@code folder} to its last byte with one file, so the next write
     * there fails with "No space left on device"; returns the bytes written.
     */
    public static long fill(Path folder) {
        Path file = folder.resolve(FILL);
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        try (var out =
                Files.newOutputStream(
                        file,
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException full) {
            // the point: the file system is full
        }
        for (int size = chunk.length / 2; size >= 512; size /= 2) {
            try (var out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
                out.write(new byte[size]);
                written += size;
            } catch (IOException full) {
                // the rest of a block, if any
            }
        }
        return written;
    }

    /** Removes what {@link #fill} wrote. */
    public static void unfill(Path folder) {
        try {
            Files.deleteIfExists(folder.resolve(FILL));
        } catch (IOException e) {
            throw new EnvironmentException("cannot free " + folder + ": " + e.getMessage(), e);
        }
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
