package io.livezone.cli;

import io.livezone.core.DiskDevice;
import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.MacAddress;
import io.livezone.core.MemorySize;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationReport;
import io.livezone.core.NicSpec;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneStatus;
import io.livezone.core.image.ZoneImage;
import io.livezone.lab.HostState;
import io.livezone.lab.MigrationOptionsMixin;
import io.livezone.qemu.GuestImage;
import io.livezone.qemu.QemuZoneDriver;
import io.livezone.storage.ImageFormat;
import io.livezone.storage.QemuImg;
import io.livezone.storage.ZoneDisk;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code livezone vm ...}: zone VMs on this host, one at a time per command. */
@Command(
        name = "vm",
        mixinStandardHelpOptions = true,
        description = "Start, stop, list, suspend, resume and migrate zone VMs on this host.",
        subcommands = {
            VmCommand.Start.class,
            VmCommand.Stop.class,
            VmCommand.ListZones.class,
            VmCommand.Suspend.class,
            VmCommand.Resume.class,
            VmCommand.Migrate.class
        })
final class VmCommand {

    /** Options every vm subcommand shares. */
    static final class StateOption {
        @Option(
                names = "--state",
                description = "State folder (default: ${DEFAULT-VALUE}).",
                defaultValue = "/run/livezone")
        Path state;

        @Option(
                names = "--network",
                description = "Zone network name (default: ${DEFAULT-VALUE}).",
                defaultValue = "lz0")
        String network;
    }

    /** Where a zone booted from an image keeps its own layer of the image's root disk. */
    static Path overlayOf(StateOption s, String zone) {
        return s.state.resolve("image-disks").resolve(zone + ".qcow2");
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            // best effort: the state folder is the operator's to clean then
        }
    }

    static QemuZoneDriver driverFor(StateOption s, String zone) {
        ZoneSpec.validateName(zone);
        return HostState.existing(s.state, s.network)
                .orElseThrow(() -> new ZoneNotFoundException(zone));
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = "Boot a zone VM running the zone server.")
    static final class Start implements Callable<Integer> {
        @Mixin StateOption state = new StateOption();

        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec command;

        @Parameters(
                paramLabel = "ZONE",
                description = "Zone name (lowercase letters, digits, '-').")
        String name;

        @Option(
                names = "--memory",
                defaultValue = "256M",
                description = "Guest RAM, e.g. 256M, 1G (default: ${DEFAULT-VALUE}).")
        String memory;

        @Option(
                names = "--vcpus",
                defaultValue = "1",
                description = "Virtual CPUs (default: ${DEFAULT-VALUE}).")
        int vcpus;

        @Option(
                names = "--ip",
                description = "Zone address in the zone network (default: next free, from .10).")
        String ip;

        @Option(names = "--mac", description = "Zone MAC (default: derived from the name).")
        String mac;

        @Option(
                names = "--tick-hz",
                defaultValue = "20",
                description = "Zone server tick rate (default: ${DEFAULT-VALUE}).")
        int tickHz;

        @Option(
                names = "--no-wait",
                description = "Return once QEMU runs, without waiting for the zone server.")
        boolean noWait;

        @Option(
                names = "--image",
                description =
                        "Boot a zone image (livezone image build) instead of the zone server: its"
                                + " root filesystem on a disk of this zone's own (an overlay).")
        String image;

        @Override
        public Integer call() {
            ZoneSpec.validateName(name);
            MemorySize mem = MemorySize.parse(memory);
            ZoneApp app = new ZoneApp(7000, 7001, tickHz);
            MacAddress macAddress = mac == null ? MacAddress.forZone(name) : new MacAddress(mac);
            Ipv4Interface requested = ip == null ? null : parseAddress(ip);
            ZoneImage zoneImage = image == null ? null : ImageCommand.store().require(image);
            // After the input: a bad --ip is a usage error (2) even where no guest is built (1).
            GuestImage guest = GuestImage.installed();
            boolean createdNetwork = HostState.existing(state.state, state.network).isEmpty();
            QemuZoneDriver driver = HostState.openOrCreate(state.state, state.network);
            Path overlay = overlayOf(state, name);
            try {
                Ipv4Interface address = requested != null ? requested : nextFreeAddress(driver);
                NicSpec nic =
                        new NicSpec(
                                macAddress,
                                address,
                                Optional.of(driver.network().gateway().address()));
                ZoneSpec spec =
                        zoneImage == null
                                ? new ZoneSpec(name, mem, vcpus, guest.boot(), nic, app)
                                : imageSpec(zoneImage, guest, nic, overlay);
                driver.start(spec);
                if (!noWait) {
                    driver.awaitReady(name, Duration.ofMinutes(3));
                }
                if (zoneImage == null) {
                    System.out.printf(
                            "zone %s running at %s (tcp %d, udp %d), %s, %s%n",
                            name,
                            address.addressText(),
                            app.tcpPort(),
                            app.udpPort(),
                            mem,
                            driver.accelerator().id());
                } else {
                    System.out.printf(
                            "zone %s running image %s at %s (ports %s, probe %s%s), %s, %s%n",
                            name,
                            zoneImage.name(),
                            address.addressText(),
                            zoneImage.recipe().ports(),
                            zoneImage.recipe().probe(),
                            noWait ? "" : " answered",
                            spec.memory(),
                            driver.accelerator().id());
                }
                return 0;
            } catch (RuntimeException e) {
                if (driver.zoneNames().contains(name)) {
                    driver.stop(name); // a service that never became ready leaves nothing behind
                }
                deleteQuietly(overlay);
                if (createdNetwork && driver.zoneNames().isEmpty()) {
                    driver.network().destroy();
                }
                throw e;
            }
        }

        /**
         * An image's zone: LiveZone's kernel with the root initramfs, whose root filesystem is an
         * overlay of this zone's own on the image's root disk (what the zone writes stays in it).
         */
        private ZoneSpec imageSpec(
                ZoneImage zoneImage, GuestImage guest, NicSpec nic, Path overlay) {
            MemorySize mem =
                    memoryGiven()
                            ? MemorySize.parse(memory)
                            : MemorySize.ofMiB(zoneImage.recipe().memoryMiB());
            try {
                Files.createDirectories(overlay.getParent());
                Files.deleteIfExists(overlay);
            } catch (java.io.IOException e) {
                throw new EnvironmentException("cannot prepare " + overlay, e);
            }
            QemuImg.locate()
                    .createOverlay(
                            overlay,
                            ImageCommand.store().rootDisk(zoneImage.name()),
                            ImageFormat.QCOW2);
            ZoneDisk root = ZoneDisk.local("disk0", overlay);
            DiskDevice disk =
                    new DiskDevice(root.id(), root.nodeName(), root.qemuArguments(), false);
            return new ZoneSpec(name, mem, vcpus, guest.rootBoot(), nic, ZoneApp.DEFAULT)
                    .withDisk(disk);
        }

        private boolean memoryGiven() {
            return command != null
                    && command.commandLine().getParseResult().hasMatchedOption("--memory");
        }

        private static Ipv4Interface parseAddress(String text) {
            return text.contains("/")
                    ? Ipv4Interface.parse(text)
                    : Ipv4Interface.parse(text + "/24");
        }

        private static Ipv4Interface nextFreeAddress(QemuZoneDriver driver) {
            var used =
                    driver.zoneNames().stream()
                            .map(z -> driver.spec(z).nic().address().addressText())
                            .toList();
            for (int n = 10; n < 250; n++) {
                Ipv4Interface candidate = driver.network().hostAddress(n);
                if (!used.contains(candidate.addressText())) {
                    return candidate;
                }
            }
            throw new InvalidInputException(
                    "no free address left in " + driver.network().gateway());
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = "Stop a zone VM and remove what it used.")
    static final class Stop implements Callable<Integer> {
        @Mixin StateOption state = new StateOption();

        @Parameters(paramLabel = "ZONE")
        String name;

        @Override
        public Integer call() {
            QemuZoneDriver driver = driverFor(state, name);
            driver.stop(name);
            deleteQuietly(overlayOf(state, name));
            if (driver.zoneNames().isEmpty()) {
                driver.network().destroy();
            }
            System.out.println("zone " + name + " stopped");
            return 0;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List zones on this host.")
    static final class ListZones implements Callable<Integer> {
        @Mixin StateOption state = new StateOption();

        @Override
        public Integer call() {
            var driver = HostState.existing(state.state, state.network);
            System.out.printf(
                    "%-16s %-10s %-9s %-8s %-16s %s%n",
                    "ZONE", "STATE", "INSTANCE", "PID", "ADDRESS", "MEMORY");
            if (driver.isEmpty()) {
                return 0;
            }
            for (ZoneStatus z : driver.get().list()) {
                ZoneSpec spec = driver.get().spec(z.zone());
                System.out.printf(
                        "%-16s %-10s %-9s %-8s %-16s %s%n",
                        z.zone(),
                        z.state().name().toLowerCase(),
                        z.instance(),
                        z.pid().isPresent() ? String.valueOf(z.pid().getAsLong()) : "-",
                        spec.nic().address().addressText(),
                        spec.memory());
            }
            return 0;
        }
    }

    @Command(
            name = "suspend",
            mixinStandardHelpOptions = true,
            description = "Hibernate a zone to a file (the VM stops).")
    static final class Suspend implements Callable<Integer> {
        @Mixin StateOption state = new StateOption();

        @Parameters(paramLabel = "ZONE")
        String name;

        @Option(
                names = "--file",
                required = true,
                description = "File to save the VM to (must not exist).")
        Path file;

        @Override
        public Integer call() {
            driverFor(state, name).suspend(name, file);
            System.out.println("zone " + name + " suspended to " + file.toAbsolutePath());
            return 0;
        }
    }

    @Command(
            name = "resume",
            mixinStandardHelpOptions = true,
            description = "Resume a suspended zone from its file.")
    static final class Resume implements Callable<Integer> {
        @Mixin StateOption state = new StateOption();

        @Parameters(paramLabel = "ZONE")
        String name;

        @Override
        public Integer call() {
            ZoneStatus s = driverFor(state, name).restore(name);
            System.out.println("zone " + name + " resumed (" + s.instance() + ")");
            return 0;
        }
    }

    @Command(
            name = "migrate",
            mixinStandardHelpOptions = true,
            description =
                    "Live-migrate a zone to a fresh QEMU instance on this host; players stay"
                            + " connected.")
    static final class Migrate implements Callable<Integer> {
        @Mixin StateOption state = new StateOption();
        @Mixin MigrationOptionsMixin tuning = new MigrationOptionsMixin();

        @Parameters(paramLabel = "ZONE")
        String name;

        @Override
        public Integer call() {
            MigrationOptions options = tuning.toOptions();
            QemuZoneDriver driver = driverFor(state, name);
            MigrationReport r =
                    driver.migrateLocal(
                            name,
                            options,
                            io.livezone.core.SwitchoverHook.NONE,
                            p ->
                                    System.err.printf(
                                            "\r  %-14s %5.1f%%  %6.1f MB sent  %7.1f Mbit/s",
                                            p.status(),
                                            p.percent(),
                                            p.transferredBytes() / 1e6,
                                            p.mbps()));
            System.err.println();
            System.out.printf(
                    "zone %s migrated %s -> %s: total %d ms, downtime %d ms (QEMU), pause-to-resume"
                            + " %d ms, %.1f MB, %d dirty-sync rounds, %.0f Mbit/s%s%n",
                    name,
                    r.fromInstance(),
                    r.toInstance(),
                    r.totalMillis(),
                    r.downtimeMillis(),
                    r.pauseToResumeMillis(),
                    r.transferredBytes() / 1e6,
                    r.dirtySyncCount(),
                    r.throughputMbps(),
                    r.postcopyUsed() ? ", post-copy" : "");
            return 0;
        }
    }
}
