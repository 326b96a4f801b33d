package io.livezone.link;

import io.livezone.core.InvalidInputException;

import java.time.Duration;

/**
 * Where players are, as the gateway emulates it: their region, and the one-way delay from each
 * region to each site (a site a region does not list adds none). Moving a zone to another site
 * changes what its players measure, which is what zone mapping acts on.
 */
public record PlayerRegions(
        String region, java.util.Map<String, java.util.Map<String, String>> latency) {
    public PlayerRegions {
        latency = latency == null ? java.util.Map.of() : java.util.Map.copyOf(latency);
        if (region == null || region.isBlank()) {
            throw new InvalidInputException("cluster config: players: 'region' is missing");
        }
        if (!latency.isEmpty() && !latency.containsKey(region)) {
            throw new InvalidInputException(
                    "cluster config: players: region "
                            + region
                            + " has no latency entry; regions are "
                            + latency.keySet().stream().sorted().toList());
        }
        for (var r : latency.entrySet()) {
            if (r.getValue() == null) {
                throw new InvalidInputException(
                        "cluster config: players: region " + r.getKey() + " lists no sites");
            }
            for (var site : r.getValue().entrySet()) {
                oneWay(r.getKey(), site.getKey(), site.getValue());
            }
        }
    }

    /** The one-way delay from {@code region} to {@code site}. */
    public static Duration oneWay(String region, String site, String text) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "cluster config: players: " + region + " → " + site + ": " + e.getMessage());
        }
        if (d.isNegative() || d.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new InvalidInputException(
                    "cluster config: players: "
                            + region
                            + " → "
                            + site
                            + " must be 0..5s, got "
                            + text);
        }
        return d;
    }
}
