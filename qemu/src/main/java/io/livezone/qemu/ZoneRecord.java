package io.livezone.qemu;

import io.livezone.core.BootImage;
import io.livezone.core.DiskDevice;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.MacAddress;
import io.livezone.core.MemorySize;
import io.livezone.core.NicSpec;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneSpec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the QEMU driver persists per zone (as JSON in the zone's state folder), so that separate CLI
 * invocations and a restarted agent find their zones again.
 *
 * @param activeInstance the QEMU instance that holds the zone, or null while suspended
 * @param suspendedTo the hibernation file while suspended
 * @param incomingInstance the instance waiting for a migration stream from another host, while the
 *     zone arrives here
 * @param diskDevice the zone's disk as its QEMU attaches it, or null
 */
record ZoneRecord(
        String name,
        long memoryMiB,
        int vcpus,
        String kernel,
        String initrd,
        String disk,
        String mac,
        String address,
        String gateway,
        int tcpPort,
        int udpPort,
        int tickHz,
        int redisPort,
        String activeInstance,
        int instanceSeq,
        String suspendedTo,
        String incomingInstance,
        DiskDevice diskDevice) {

    static ZoneRecord of(ZoneSpec spec) {
        String kernel = null;
        String initrd = null;
        String disk = null;
        switch (spec.boot()) {
            case BootImage.Kernel k -> {
                kernel = k.kernel().toString();
                initrd = k.initrd().toString();
            }
            case BootImage.Disk d -> disk = d.image().toString();
        }
        return new ZoneRecord(
                spec.name(),
                spec.memory().mib(),
                spec.vcpus(),
                kernel,
                initrd,
                disk,
                spec.nic().mac().value(),
                spec.nic().address().toString(),
                spec.nic().gateway().map(g -> g.getHostAddress()).orElse(null),
                spec.app().tcpPort(),
                spec.app().udpPort(),
                spec.app().tickHz(),
                spec.app().redisPort(),
                null,
                0,
                null,
                null,
                spec.disk().orElse(null));
    }

    ZoneSpec spec() {
        BootImage boot =
                disk != null
                        ? new BootImage.Disk(Path.of(disk))
                        : new BootImage.Kernel(Path.of(kernel), Path.of(initrd));
        NicSpec nic =
                new NicSpec(
                        new MacAddress(mac),
                        Ipv4Interface.parse(address),
                        Optional.ofNullable(gateway).map(Ipv4Interface::parseAddress));
        return new ZoneSpec(
                name,
                MemorySize.ofMiB(memoryMiB),
                vcpus,
                boot,
                nic,
                new ZoneApp(tcpPort, udpPort, tickHz, redisPort),
                Optional.ofNullable(diskDevice));
    }

    ZoneRecord withActive(String instance, int seq) {
        return where(instance, seq, null, null, diskDevice);
    }

    /** The zone is arriving from another host into {@code instance}; nothing runs here yet. */
    ZoneRecord withIncoming(String instance, int seq) {
        return where(null, seq, null, instance, diskDevice);
    }

    /** The same zone with its disk now attached as {@code device} (e.g. after a pull). */
    ZoneRecord withDiskDevice(DiskDevice device) {
        return where(activeInstance, instanceSeq, suspendedTo, incomingInstance, device);
    }

    ZoneRecord suspended(String file) {
        return where(null, instanceSeq, file, null, diskDevice);
    }

    /** The same zone identity with a new placement state; the zone's spec fields never change. */
    private ZoneRecord where(
            String active, int seq, String suspended, String incoming, DiskDevice device) {
        return new ZoneRecord(
                name, memoryMiB, vcpus, kernel, initrd, disk, mac, address, gateway, tcpPort,
                udpPort, tickHz, redisPort, active, seq, suspended, incoming, device);
    }
}
