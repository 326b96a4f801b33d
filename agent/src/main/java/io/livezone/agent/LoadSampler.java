package io.livezone.agent;

import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStats;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.ZoneLoad;
import io.livezone.qemu.QemuZoneDriver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures this host's load for its heartbeat. A host's CPU is what its zones' QEMU processes use
 * (on a shared machine the kernel's totals would count every host); NIC bytes come from the host's
 * own interface, which in local mode lives in the host's namespace.
 */
final class LoadSampler {
    private final QemuZoneDriver driver;
    private final long memoryTotalBytes;
    private final String nic;
    private final Map<String, long[]> lastCpu = new HashMap<>();

    LoadSampler(QemuZoneDriver driver, long memoryTotalBytes, String nic) {
        this.driver = driver;
        this.memoryTotalBytes = memoryTotalBytes;
        this.nic = nic;
    }

    synchronized HostLoad sample() {
        long now = System.nanoTime();
        List<ZoneLoad> zones = new ArrayList<>();
        double cpu = 0;
        long used = 0;
        for (ZoneStatus z : driver.list()) {
            if (z.state() == ZoneState.RUNNING || z.state() == ZoneState.MIGRATING) {
                try {
                    ZoneStats s = driver.stats(z.zone());
                    long[] prev = lastCpu.put(z.zone(), new long[] {s.cpuTimeMillis(), now});
                    double pct = 0;
                    if (prev != null && now > prev[1]) {
                        pct = 100.0 * (s.cpuTimeMillis() - prev[0]) / ((now - prev[1]) / 1e6);
                    }
                    cpu += pct;
                    used += s.residentBytes();
                    zones.add(
                            new ZoneLoad(
                                    z.zone(),
                                    z.state(),
                                    pct,
                                    s.residentBytes(),
                                    s.guestMemoryBytes()));
                    continue;
                } catch (RuntimeException e) {
                    // the zone left between list and stats: report it without numbers
                }
            }
            zones.add(new ZoneLoad(z.zone(), z.state(), 0, 0, 0));
        }
        lastCpu.keySet().retainAll(zones.stream().map(ZoneLoad::zone).toList());
        return new HostLoad(
                cpu, used, memoryTotalBytes, counter("rx_bytes"), counter("tx_bytes"), zones);
    }

    private long counter(String name) {
        if (nic == null) {
            return 0;
        }
        try {
            return Long.parseLong(
                    Files.readString(Path.of("/sys/class/net", nic, "statistics", name)).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
