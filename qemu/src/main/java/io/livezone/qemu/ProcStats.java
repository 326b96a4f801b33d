package io.livezone.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Host-side view of a process from /proc: CPU time and resident memory. */
final class ProcStats {
    /** USER_HZ is 100 on every Linux we run on. */
    private static final long TICK_MILLIS = 10;

    private ProcStats() {}

    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name may contain spaces: fields start after the closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_MILLIS;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long residentBytes(long pid) {
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
