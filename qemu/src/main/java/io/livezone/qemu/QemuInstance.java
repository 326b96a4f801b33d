package io.livezone.qemu;

import io.livezone.core.BootImage;
import io.livezone.core.EnvironmentException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.ZoneSpec;
import io.livezone.network.ZoneNetwork;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One QEMU process holding (or about to receive) a zone. It runs in its own session inside the zone
 * network's namespace, so it can open its tap there; its QMP socket, pid file and serial console
 * live in its own folder.
 */
public final class QemuInstance {
    static final String READY_MARKER = "LIVEZONE-ZONE-READY";

    /** sun_path is 108 bytes; leave room for the terminating NUL. */
    private static final int MAX_SOCKET_PATH = 100;

    private final String zone;
    private final String id;
    private final Path dir;
    private final String tap;
    private final ZoneNetwork network;

    private QemuInstance(String zone, String id, Path dir, ZoneNetwork network) {
        this.zone = zone;
        this.id = id;
        this.dir = dir;
        this.network = network;
        this.tap = tapName(dir);
    }

    /** An instance that exists on disk (possibly dead). */
    static QemuInstance existing(String zone, String id, Path dir, ZoneNetwork network) {
        return new QemuInstance(zone, id, dir, network);
    }

    /**
     * Starts QEMU for the zone. With {@code incoming} the VM waits for a migration stream ({@code
     * -incoming defer}) instead of booting. On failure nothing is left behind (process, tap,
     * folder).
     */
    static QemuInstance launch(
            ZoneSpec spec,
            String id,
            Path dir,
            ZoneNetwork network,
            Accelerator accel,
            boolean incoming) {
        return launch(spec, id, dir, network, accel, incoming, false);
    }

    /**
     * Like {@link #launch(ZoneSpec, String, Path, ZoneNetwork, Accelerator, boolean)}; with {@code
     * paused} the VM does not start its vCPUs by itself ({@code -S}): an incoming VM stays paused
     * when its migration completes, until someone sends {@code cont}.
     */
    static QemuInstance launch(
            ZoneSpec spec,
            String id,
            Path dir,
            ZoneNetwork network,
            Accelerator accel,
            boolean incoming,
            boolean paused) {
        QemuInstance instance = new QemuInstance(spec.name(), id, dir, network);
        Path longestSocket =
                spec.disk().isPresent() ? instance.storageSocket() : instance.qmpSocket();
        if (longestSocket.toString().length() > MAX_SOCKET_PATH) {
            throw new EnvironmentException(
                    "state folder path too long for a QMP unix socket: "
                            + longestSocket
                            + " (use a shorter --state folder)");
        }
        String qemu = QemuBinary.path();
        try {
            Files.createDirectories(dir);
            network.addTap(instance.tap);
            List<String> cmd = new ArrayList<>(network.execPrefix());
            // setsid: the VM outlives the command that started it and ignores its terminal's
            // signals. QEMU is not
            // daemonized so that its stderr (crash and assertion messages) stays in qemu.err for
            // diagnosis.
            cmd.add("setsid");
            cmd.add(qemu);
            cmd.addAll(instance.arguments(spec, accel, incoming, paused));
            Path err = dir.resolve("qemu.err");
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(err.toFile())
                            .redirectInput(
                                    ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                            .start();
            // While this JVM lives it is QEMU's parent and learns how it ended: keep that for
            // diagnosis.
            p.onExit()
                    .thenAccept(
                            done -> {
                                try {
                                    Files.writeString(
                                            dir.resolve("qemu.exit"),
                                            "exit status " + done.exitValue() + "\n");
                                } catch (IOException ignored) {
                                    // the folder is gone: the instance was destroyed on purpose
                                }
                            });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!(Files.exists(instance.qmpSocket()) && instance.pid().isPresent())) {
                if (!p.isAlive()) {
                    throw new LiveZoneException(
                            "QEMU for zone '"
                                    + spec.name()
                                    + "' failed to start: "
                                    + Files.readString(err).strip());
                }
                if (System.nanoTime() > deadline) {
                    throw new LiveZoneException(
                            "QEMU for zone '" + spec.name() + "' did not start within 60 s");
                }
                Thread.sleep(10);
            }
            return instance;
        } catch (IOException e) {
            instance.destroy();
            throw new EnvironmentException(
                    "cannot start QEMU for zone '" + spec.name() + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            instance.destroy();
            throw new LiveZoneException("interrupted while starting zone '" + spec.name() + "'");
        } catch (RuntimeException e) {
            instance.destroy();
            throw e;
        }
    }

    private List<String> arguments(
            ZoneSpec spec, Accelerator accel, boolean incoming, boolean paused) {
        List<String> a =
                new ArrayList<>(List.of("-name", spec.name() + "-" + id + ",debug-threads=on"));
        a.addAll(accel.qemuArgs());
        a.addAll(
                List.of(
                        "-machine",
                        "pc",
                        "-m",
                        spec.memory().mib() + "M",
                        "-smp",
                        String.valueOf(spec.vcpus()),
                        "-display",
                        "none",
                        "-nodefaults",
                        "-no-user-config",
                        "-no-reboot",
                        "-serial",
                        "file:" + console(),
                        "-qmp",
                        "unix:" + qmpSocket() + ",server=on,wait=off",
                        "-pidfile",
                        pidFile().toString(),
                        "-netdev",
                        "tap,id=net0,ifname=" + tap + ",script=no,downscript=no",
                        // romfile= : no PXE ROM, the guest never network-boots and the ROM would
                        // only slow migration.
                        "-device",
                        System.getProperty("livezone.nic", "virtio-net-pci")
                                + ",netdev=net0,mac="
                                + spec.nic().mac()
                                + ",romfile="));
        switch (spec.boot()) {
            case BootImage.Kernel k -> {
                a.addAll(
                        List.of(
                                "-kernel",
                                k.kernel().toString(),
                                "-initrd",
                                k.initrd().toString(),
                                "-append",
                                kernelCommandLine(spec)));
            }
            case BootImage.Disk d ->
                    a.addAll(List.of("-drive", "file=" + d.image() + ",if=virtio,cache=none"));
        }
        spec.disk()
                .ifPresent(
                        disk -> {
                            a.addAll(disk.qemuArguments());
                            // A second monitor for storage jobs (mirrors, exports, pulls), which
                            // run while the driver uses the first one, e.g. for the migration.
                            a.addAll(
                                    List.of(
                                            "-qmp",
                                            "unix:" + storageSocket() + ",server=on,wait=off"));
                        });
        if (paused) {
            a.add("-S");
        }
        if (incoming) {
            a.addAll(List.of("-incoming", "defer"));
        }
        return a;
    }

    static String kernelCommandLine(ZoneSpec spec) {
        long heapMiB = Math.max(24, Math.min(spec.memory().mib() / 4, 256));
        StringBuilder s =
                new StringBuilder("console=ttyS0 quiet panic=-1 rootfstype=ramfs")
                        .append(" lz.zone=")
                        .append(spec.name())
                        .append(" lz.ip=")
                        .append(spec.nic().address())
                        .append(" lz.tcp=")
                        .append(spec.app().tcpPort())
                        .append(" lz.udp=")
                        .append(spec.app().udpPort())
                        .append(" lz.tick=")
                        .append(spec.app().tickHz())
                        .append(" lz.heap=")
                        .append(heapMiB);
        spec.nic().gateway().ifPresent(g -> s.append(" lz.gw=").append(g.getHostAddress()));
        if (spec.app().redisPort() != 0) {
            s.append(" lz.redis=").append(spec.app().redisPort());
        }
        if (spec.disk().map(d -> d.guestWriter()).orElse(false)) {
            s.append(" lz.diskwriter=1");
        }
        if (spec.disk().isPresent()) {
            // The zone's disk is its only one: a zone image's root initramfs mounts it as the
            // root filesystem (scripts/image-rootboot-init.sh); the zone server's ignores this.
            s.append(" lz.root=/dev/vda");
        }
        return s.toString();
    }

    QmpClient connect() {
        return QmpClient.connect(qmpSocket(), Duration.ofSeconds(10));
    }

    Optional<Long> pid() {
        try {
            String text = Files.readString(pidFile()).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * True while the process runs. A zombie (exited, not yet reaped: its parent agent died and
     * nobody reaps orphans) counts as dead, although the kernel still knows its pid.
     */
    boolean isAlive() {
        Optional<Long> pid = pid();
        if (pid.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false) == false) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid.get()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone between the two looks
        }
    }

    /**
     * How the process ended, when the agent that started it saw it end ({@code qemu.exit}); empty
     * while it runs, or when it ended unseen (its agent had died).
     */
    Optional<Integer> exitStatus() {
        try {
            String text = Files.readString(dir.resolve("qemu.exit")).strip();
            return Optional.of(Integer.parseInt(text.substring(text.lastIndexOf(' ') + 1)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The last {@code lines} lines of the serial console (reads only the file's end). */
    String consoleLastLines(int lines) {
        Path file = console();
        try (var in = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int n = (int) Math.min(length, 4096);
            byte[] buf = new byte[n];
            in.seek(length - n);
            in.readFully(buf);
            List<String> all =
                    new String(buf, StandardCharsets.ISO_8859_1).replace("\r", "").lines().toList();
            List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
            return String.join("\n", last).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Waits until the zone server in this instance printed its ready line on the serial console.
     */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (consoleText().contains(READY_MARKER)) {
                return;
            }
            if (!isAlive()) {
                throw new LiveZoneException(
                        "zone '"
                                + zone
                                + "' VM exited during boot; QEMU said: "
                                + errorOutput()
                                + "\nconsole:\n"
                                + consoleTail());
            }
            sleep(100);
        }
        throw new LiveZoneException(
                "zone '"
                        + zone
                        + "' server not ready within "
                        + timeout.toSeconds()
                        + " s; console:\n"
                        + consoleTail());
    }

    String consoleText() {
        try {
            return Files.exists(console())
                    ? Files.readString(console(), StandardCharsets.ISO_8859_1)
                    : "";
        } catch (IOException e) {
            return "";
        }
    }

    String consoleTail() {
        String text = consoleText();
        return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
    }

    /**
     * Asks QEMU to quit, then makes sure: kills it if needed, removes the tap and the folder.
     * Idempotent.
     */
    void destroy() {
        if (isAlive()) {
            try (QmpClient qmp = QmpClient.connect(qmpSocket(), Duration.ofSeconds(2))) {
                qmp.execute("quit", null, Duration.ofSeconds(3));
            } catch (QmpException e) {
                // Already gone or wedged: the kill below settles it.
            }
            waitForExit(Duration.ofSeconds(5));
        }
        pid().flatMap(ProcessHandle::of)
                .ifPresent(
                        h -> {
                            h.destroyForcibly();
                            waitForExit(Duration.ofSeconds(5));
                        });
        network.removeTap(tap);
        deleteTree(dir);
    }

    /** What QEMU printed (errors, and why it died if it did). */
    String errorOutput() {
        try {
            StringBuilder out = new StringBuilder();
            for (String name : new String[] {"qemu.err", "qemu.exit"}) {
                Path f = dir.resolve(name);
                if (Files.exists(f)) {
                    out.append(Files.readString(f).strip()).append(' ');
                }
            }
            return out.toString().strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills the process at once (tests use it to simulate a crashed host). */
    void kill() {
        pid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
        waitForExit(Duration.ofSeconds(5));
    }

    private void waitForExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive() && System.nanoTime() < deadline) {
            sleep(20);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LiveZoneException("interrupted");
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new LiveZoneException("cannot remove " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Tap names are per namespace and at most 15 characters: derive one from the instance folder.
     */
    private static String tapName(Path dir) {
        return "lzt" + HexFormat.of().toHexDigits(dir.toAbsolutePath().toString().hashCode());
    }

    String id() {
        return id;
    }

    String tap() {
        return tap;
    }

    Path dir() {
        return dir;
    }

    Path qmpSocket() {
        return dir.resolve("qmp.sock");
    }

    Path console() {
        return dir.resolve("console.log");
    }

    /** The second QMP monitor of a VM with a disk, reserved for storage jobs. */
    Path storageSocket() {
        return dir.resolve("storage.sock");
    }

    /**
     * Stops the NBD server an arrival's disk mirror left on this VM (its agent died before it
     * removed it). A zone's own VM serves NBD only as a mirror's target, and a writable export left
     * behind keeps QEMU from inactivating the disk at the next switchover ("Block inactivate
     * failed"). Returns whether one ran; false too when the storage monitor did not answer.
     */
    boolean stopLeftoverDiskExport() {
        try (QmpClient storage = QmpClient.connect(storageSocket(), Duration.ofSeconds(10))) {
            storage.execute("nbd-server-stop");
            return true;
        } catch (QmpException e) {
            return false; // none ran ("NBD server not running"), or no storage monitor
        }
    }

    private Path pidFile() {
        return dir.resolve("qemu.pid");
    }
}
