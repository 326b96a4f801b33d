package io.livezone.agent;

import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStats;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.ZoneLoad;
import io.livezone.qemu.ZoneDriver;

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
    private final ZoneDriver driver;
    private final long memoryTotalBytes;
    private final String nic;
    private final Map<String, long[]> lastCpu = new HashMap<>();

    LoadSampler(ZoneDriver driver, long memoryTotalBytes, String nic) {
        this.driver = driver;
        this.memoryTotalBytes = memoryTotalBytes;
        this.nic = nic;
    }

    /**
     * Samples without QMP: a migrating VM's QMP socket is busy for the whole migration, and the
     * heartbeat that carries this report must never wait for it. Zones that are not running
     * (arriving, suspended, dead) use no CPU and are left out.
     */
    synchronized HostLoad sample() {
        long now = System.nanoTime();
        List<ZoneLoad> zones = new ArrayList<>();
        double cpu = 0;
        long used = 0;
        for (String zone : driver.zoneNames()) {
            ZoneStats s;
            try {
                s = driver.stats(zone);
            } catch (RuntimeException e) {
                continue;
            }
            long[] prev = lastCpu.put(zone, new long[] {s.cpuTimeMillis(), now});
            double pct = 0;
            if (prev != null && now > prev[1]) {
                pct = 100.0 * (s.cpuTimeMillis() - prev[0]) / ((now - prev[1]) / 1e6);
            }
            cpu += pct;
            used += s.residentBytes();
            zones.add(
                    new ZoneLoad(
                            zone, ZoneState.RUNNING, pct, s.residentBytes(), s.guestMemoryBytes()));
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
