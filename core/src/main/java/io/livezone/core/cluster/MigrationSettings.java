package io.livezone.core.cluster;

import io.livezone.core.MigrationOptions;

import java.time.Duration;

/**
 * The migration knobs a plan carries to the agents (a wire-friendly subset of {@link
 * MigrationOptions}; the rest keep their defaults).
 */
public record MigrationSettings(
        long downtimeLimitMs,
        long maxBandwidthBytesPerSec,
        boolean autoConverge,
        boolean postcopy) {
    public static final MigrationSettings DEFAULT = of(MigrationOptions.DEFAULT);

    public MigrationSettings {
        // MigrationOptions validates every field with user-facing messages.
        build(downtimeLimitMs, maxBandwidthBytesPerSec, autoConverge, postcopy);
    }

    public static MigrationSettings of(MigrationOptions o) {
        return new MigrationSettings(
                o.downtimeLimit().toMillis(),
                o.maxBandwidthBytesPerSec(),
                o.autoConverge(),
                o.postcopy());
    }

    public MigrationOptions toOptions() {
        return build(downtimeLimitMs, maxBandwidthBytesPerSec, autoConverge, postcopy);
    }

    private static MigrationOptions build(
            long downtimeLimitMs, long maxBandwidth, boolean autoConverge, boolean postcopy) {
        return MigrationOptions.DEFAULT.toBuilder()
                .downtimeLimit(Duration.ofMillis(downtimeLimitMs))
                .maxBandwidthBytesPerSec(maxBandwidth)
                .autoConverge(autoConverge)
                .postcopy(postcopy)
                .build();
    }
}
