package io.livezone.lab;

import io.livezone.core.MacAddress;
import io.livezone.core.MemorySize;
import io.livezone.core.NicSpec;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneSpec;
import io.livezone.network.ZoneNetwork;
import io.livezone.qemu.Accelerator;
import io.livezone.qemu.AcceleratorProbe;
import io.livezone.qemu.GuestImage;
import io.livezone.qemu.QemuZoneDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A throw-away single-host lab for demo, bench and tests: its own zone network (namespace +
 * bridge), its own state folder, a QEMU driver. {@link #close()} removes every VM, tap, namespace
 * and file it made, also when the JVM is interrupted (shutdown hook).
 */
public final class LocalZoneLab implements AutoCloseable {
    private final Path stateDir;
    private final ZoneNetwork network;
    private final QemuZoneDriver driver;
    private final GuestImage image;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalZoneLab(
            Path stateDir, ZoneNetwork network, QemuZoneDriver driver, GuestImage image) {
        this.stateDir = stateDir;
        this.network = network;
        this.driver = driver;
        this.image = image;
        this.shutdownHook = new Thread(this::cleanUp, "livezone-lab-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static LocalZoneLab open(String prefix) {
        GuestImage image = GuestImage.installed();
        Accelerator accel = AcceleratorProbe.detect(image);
        Path state;
        try {
            // Short path: QMP unix socket paths are limited to 108 bytes.
            state = Files.createTempDirectory(Path.of("/tmp"), "lz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Network names are at most 10 characters (they become interface names): a short prefix and
        // a random tail.
        String name =
                prefix.substring(0, Math.min(prefix.length(), 3))
                        + Long.toString(
                                java.util.concurrent.ThreadLocalRandom.current()
                                        .nextLong(36L * 36 * 36 * 36 * 36 * 36),
                                36);
        ZoneNetwork network;
        try {
            network = ZoneNetwork.create(name, ZoneNetwork.freeGateway());
        } catch (RuntimeException e) {
            deleteQuietly(state);
            throw e;
        }
        return new LocalZoneLab(state, network, new QemuZoneDriver(state, network, accel), image);
    }

    /** A zone spec for the n-th zone of this lab (address .10 + n). */
    public ZoneSpec zoneSpec(String name, MemorySize memory, int n, int tickHz) {
        return zoneSpec(name, memory, n, new ZoneApp(7000, 7001, tickHz));
    }

    /** A zone spec for the n-th zone of this lab running {@code app}. */
    public ZoneSpec zoneSpec(String name, MemorySize memory, int n, ZoneApp app) {
        var address = network.hostAddress(10 + n);
        return new ZoneSpec(
                name,
                memory,
                1,
                app.redisPort() != 0 ? image.bootWithRedis() : image.boot(),
                new NicSpec(
                        MacAddress.forZone(name + network.name()),
                        address,
                        Optional.of(network.gateway().address())),
                app);
    }

    public InetSocketAddress controlEndpoint(ZoneSpec spec) {
        return new InetSocketAddress(spec.nic().address().address(), spec.app().tcpPort());
    }

    public QemuZoneDriver driver() {
        return driver;
    }

    public ZoneNetwork network() {
        return network;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Accelerator accelerator() {
        return driver.accelerator();
    }

    @Override
    public synchronized void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook runs cleanUp, which is idempotent
        }
    }

    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (String zone : driver.zoneNames()) {
            try {
                driver.stop(zone);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        network.destroy();
        deleteQuietly(stateDir);
        if (first != null) {
            throw first;
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort
        }
    }
}
