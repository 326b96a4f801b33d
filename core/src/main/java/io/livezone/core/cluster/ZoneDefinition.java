package io.livezone.core.cluster;

import io.livezone.core.BootImage;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.MacAddress;
import io.livezone.core.MemorySize;
import io.livezone.core.NicSpec;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneSpec;
import io.livezone.core.image.ImageRef;

import java.net.Inet4Address;
import java.util.Optional;

/**
 * A zone as the coordinator and agents exchange it: everything but the boot image, which each host
 * resolves to its own copy of the guest.
 *
 * @param address the zone's IPv4 address with prefix, e.g. 10.213.7.20/24
 * @param disk the zone's disk, or null for a zone without one
 * @param restart what happens when the zone's VM dies outside a migration; null means {@link
 *     RestartPolicy#NEVER}
 * @param redisPort TCP port of Debian's Redis server beside the zone server in the guest (players
 *     reach it through the gateway too); 0 or null: none
 * @param image the zone image the zone boots (its disk is then the image's root disk under the
 *     zone's own overlay), or null for LiveZone's own zone server; {@code tcpPort}, {@code udpPort}
 *     and {@code tickHz} are the zone server's and mean nothing to an image's service
 */
public record ZoneDefinition(
        String name,
        long memoryMiB,
        int vcpus,
        String address,
        String mac,
        int tcpPort,
        int udpPort,
        int tickHz,
        DiskDefinition disk,
        RestartPolicy restart,
        Integer redisPort,
        ImageRef image) {
    public ZoneDefinition {
        restart = restart == null ? RestartPolicy.NEVER : restart;
        redisPort = redisPort == null ? 0 : redisPort; // zones stored before Redis: none
        ZoneSpec.validateName(name);
        if (memoryMiB < ZoneSpec.MIN_MEMORY.mib() || memoryMiB > ZoneSpec.MAX_MEMORY.mib()) {
            throw new InvalidInputException(
                    "zone memory "
                            + memoryMiB
                            + " MiB out of range "
                            + ZoneSpec.MIN_MEMORY.mib()
                            + ".."
                            + ZoneSpec.MAX_MEMORY.mib()
                            + " MiB");
        }
        if (vcpus < 1 || vcpus > 16) {
            throw new InvalidInputException("vcpus must be 1..16, got " + vcpus);
        }
        if (address == null) {
            throw new InvalidInputException("zone address is missing");
        }
        Ipv4Interface.parse(address);
        new MacAddress(mac);
        new ZoneApp(tcpPort, udpPort, tickHz, redisPort);
        if (image != null && disk == null) {
            throw new InvalidInputException(
                    "zone " + name + " boots image " + image.name() + " but has no disk for it");
        }
        if (image != null && redisPort != 0) {
            throw new InvalidInputException(
                    "zone "
                            + name
                            + " boots image "
                            + image.name()
                            + "; Redis beside the zone"
                            + " server is for LiveZone's own zone server only");
        }
    }

    /** LiveZone's own zone server, with Redis beside it on {@code redisPort} (0: none). */
    public ZoneDefinition(
            String name,
            long memoryMiB,
            int vcpus,
            String address,
            String mac,
            int tcpPort,
            int udpPort,
            int tickHz,
            DiskDefinition disk,
            RestartPolicy restart,
            Integer redisPort) {
        this(
                name, memoryMiB, vcpus, address, mac, tcpPort, udpPort, tickHz, disk, restart,
                redisPort, null);
    }

    /** A zone without Redis. */
    public ZoneDefinition(
            String name,
            long memoryMiB,
            int vcpus,
            String address,
            String mac,
            int tcpPort,
            int udpPort,
            int tickHz,
            DiskDefinition disk,
            RestartPolicy restart) {
        this(
                name, memoryMiB, vcpus, address, mac, tcpPort, udpPort, tickHz, disk, restart, 0,
                null);
    }

    /** A zone that is never restarted. */
    public ZoneDefinition(
            String name,
            long memoryMiB,
            int vcpus,
            String address,
            String mac,
            int tcpPort,
            int udpPort,
            int tickHz,
            DiskDefinition disk) {
        this(name, memoryMiB, vcpus, address, mac, tcpPort, udpPort, tickHz, disk, null);
    }

    /** A zone without a disk. */
    public ZoneDefinition(
            String name,
            long memoryMiB,
            int vcpus,
            String address,
            String mac,
            int tcpPort,
            int udpPort,
            int tickHz) {
        this(name, memoryMiB, vcpus, address, mac, tcpPort, udpPort, tickHz, null);
    }

    public ZoneDefinition withDisk(DiskDefinition newDisk) {
        return new ZoneDefinition(
                name, memoryMiB, vcpus, address, mac, tcpPort, udpPort, tickHz, newDisk, restart,
                redisPort, image);
    }

    public ZoneDefinition withRestart(RestartPolicy policy) {
        return new ZoneDefinition(
                name, memoryMiB, vcpus, address, mac, tcpPort, udpPort, tickHz, disk, policy,
                redisPort, image);
    }

    public ZoneDefinition withRedis(int port) {
        return new ZoneDefinition(
                name, memoryMiB, vcpus, address, mac, tcpPort, udpPort, tickHz, disk, restart, port,
                image);
    }

    /** True if the zone boots a zone image rather than LiveZone's own zone server. */
    public boolean bootsImage() {
        return image != null;
    }

    /**
     * The full spec on a host whose guest boots from {@code boot}; validates sizes too. The disk is
     * not attached: the host decides where its bytes live.
     */
    public ZoneSpec toSpec(BootImage boot, Optional<Inet4Address> gateway) {
        return new ZoneSpec(
                name,
                MemorySize.ofMiB(memoryMiB),
                vcpus,
                boot,
                new NicSpec(new MacAddress(mac), Ipv4Interface.parse(address), gateway),
                new ZoneApp(tcpPort, udpPort, tickHz, redisPort));
    }

    public static ZoneDefinition of(ZoneSpec spec) {
        return new ZoneDefinition(
                spec.name(),
                spec.memory().mib(),
                spec.vcpus(),
                spec.nic().address().toString(),
                spec.nic().mac().value(),
                spec.app().tcpPort(),
                spec.app().udpPort(),
                spec.app().tickHz(),
                null,
                null,
                spec.app().redisPort());
    }
}
