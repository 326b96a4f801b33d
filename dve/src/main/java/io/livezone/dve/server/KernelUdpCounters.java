package io.livezone.dve.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's UDP counters from {@code /proc/net/snmp} (Linux): whether datagrams were dropped
 * before the zone server read them, e.g. because its socket buffer was full while the server could
 * not keep up. All -1 when the file cannot be read.
 */
record KernelUdpCounters(long inDatagrams, long inErrors, long rcvbufErrors) {
    static final Path SNMP = Path.of("/proc/net/snmp");
    static final KernelUdpCounters UNKNOWN = new KernelUdpCounters(-1, -1, -1);

    static KernelUdpCounters read() {
        try {
            return parse(Files.readAllLines(SNMP));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** Parses the two "Udp:" lines (names, then values) of /proc/net/snmp. */
    static KernelUdpCounters parse(List<String> lines) {
        String[] names = null;
        for (String line : lines) {
            if (!line.startsWith("Udp: ")) {
                continue;
            }
            String[] words = line.trim().split("\\s+");
            if (names == null) {
                names = words;
                continue;
            }
            return new KernelUdpCounters(
                    value(names, words, "InDatagrams"),
                    value(names, words, "InErrors"),
                    value(names, words, "RcvbufErrors"));
        }
        return UNKNOWN;
    }

    String toLine() {
        return "NETSTATS udpInDatagrams="
                + inDatagrams
                + " udpInErrors="
                + inErrors
                + " udpRcvbufErrors="
                + rcvbufErrors;
    }

    private static long value(String[] names, String[] values, String name) {
        for (int i = 1; i < names.length && i < values.length; i++) {
            if (names[i].equals(name)) {
                return Long.parseLong(values[i]);
            }
        }
        return -1;
    }
}
