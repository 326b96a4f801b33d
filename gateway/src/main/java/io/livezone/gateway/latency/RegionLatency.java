package io.livezone.gateway.latency;

import io.livezone.core.InvalidInputException;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Emulated one-way delay between a client region and a hosting site. The gateway applies it in each
 * direction, so a client's round trip grows by twice this value. Pairs not configured get the
 * default delay (zero unless set). Immutable.
 */
public final class RegionLatency {
    /** No emulated delay anywhere. */
    public static final RegionLatency NONE = builder().build();

    private final Map<String, Map<String, Long>> nanosByRegionAndSite;
    private final long defaultNanos;

    private RegionLatency(Map<String, Map<String, Long>> nanos, long defaultNanos) {
        this.nanosByRegionAndSite = nanos;
        this.defaultNanos = defaultNanos;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One-way delay for traffic between {@code region} and {@code site}. */
    public Duration oneWay(String region, String site) {
        return Duration.ofNanos(oneWayNanos(region, site));
    }

    /** As {@link #oneWay}, in nanoseconds; allocation-free for the per-packet path. */
    public long oneWayNanos(String region, String site) {
        if (region == null || site == null) {
            return defaultNanos;
        }
        Map<String, Long> bySite = nanosByRegionAndSite.get(region);
        if (bySite == null) {
            return defaultNanos;
        }
        Long nanos = bySite.get(site);
        return nanos == null ? defaultNanos : nanos;
    }

    /** The regions with a configured delay to some site. */
    public java.util.Set<String> regions() {
        return nanosByRegionAndSite.keySet();
    }

    @Override
    public String toString() {
        return "RegionLatency" + nanosByRegionAndSite + " default " + defaultNanos + " ns";
    }

    public static final class Builder {
        private final Map<String, Map<String, Long>> nanos = new HashMap<>();
        private long defaultNanos;

        private Builder() {}

        public Builder oneWay(String region, String site, Duration delay) {
            Objects.requireNonNull(region, "region is null");
            Objects.requireNonNull(site, "site is null");
            nanos.computeIfAbsent(region, r -> new HashMap<>()).put(site, checked(delay));
            return this;
        }

        public Builder defaultDelay(Duration delay) {
            defaultNanos = checked(delay);
            return this;
        }

        public RegionLatency build() {
            Map<String, Map<String, Long>> copy = new HashMap<>();
            nanos.forEach((region, bySite) -> copy.put(region, Map.copyOf(bySite)));
            return new RegionLatency(Map.copyOf(copy), defaultNanos);
        }

        private static long checked(Duration delay) {
            Objects.requireNonNull(delay, "delay is null");
            if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new InvalidInputException(
                        "one-way delay must be 0..10 s, got " + delay.toMillis() + " ms");
            }
            return delay.toNanos();
        }
    }
}
