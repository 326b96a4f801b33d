package io.livezone.core;

/** Resource use of a zone's VM process, read from the host (/proc) and QEMU. */
public record ZoneStats(
        String zone, long cpuTimeMillis, long residentBytes, long guestMemoryBytes, int vcpus) {}
