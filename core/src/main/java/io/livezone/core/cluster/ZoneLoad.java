package io.livezone.core.cluster;

import io.livezone.core.ZoneState;

/** One zone's share of a host, as its agent measured it. */
public record ZoneLoad(
        String zone, ZoneState state, double cpuPercent, long residentBytes, long memoryBytes) {}
