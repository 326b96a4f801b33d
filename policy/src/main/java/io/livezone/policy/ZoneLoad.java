package io.livezone.policy;

/** Zone {@code zoneId} uses {@code cpuPct} % of its host's CPU. */
public record ZoneLoad(String zoneId, double cpuPct) {
    public ZoneLoad {
        Ids.require(zoneId, "zone id");
        Percent.requireLoad(cpuPct, "zone " + zoneId + ": CPU load");
    }
}
