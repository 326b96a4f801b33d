package io.livezone.cli;

import io.livezone.core.MemorySize;
import io.livezone.core.MigrationOptions;

import picocli.CommandLine.Option;

import java.time.Duration;

/** Migration tuning flags shared by commands that migrate. */
final class MigrationOptionsMixin {
    @Option(
            names = "--downtime-ms",
            defaultValue = "30",
            description = "Downtime limit in ms (default: ${DEFAULT-VALUE}).")
    long downtimeMs;

    @Option(
            names = "--bandwidth",
            defaultValue = "0",
            description = "Bandwidth cap per second, e.g. 100M (0 = unlimited).")
    String bandwidth;

    @Option(
            names = "--postcopy-after",
            description =
                    "Switch to post-copy if pre-copy has not converged after this many seconds.")
    Long postcopyAfterSeconds;

    @Option(
            names = "--multifd",
            defaultValue = "0",
            description = "Parallel migration channels (0 = off).")
    int multifd;

    @Option(
            names = "--multifd-compression",
            defaultValue = "none",
            description = "none, zlib or zstd.")
    String multifdCompression;

    @Option(names = "--xbzrle", description = "Delta-compress re-sent pages.")
    boolean xbzrle;

    @Option(
            names = "--auto-converge",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Throttle the guest's vCPUs if pre-copy does not converge (default: on).")
    boolean autoConverge;

    @Option(
            names = "--pause-before-switchover",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Stop at switchover for hooks (default: on).")
    boolean pauseBeforeSwitchover;

    @Option(
            names = "--timeout-per-gib",
            defaultValue = "800",
            description = "Completion timeout per GiB of guest RAM, s.")
    long timeoutPerGiB;

    @Option(
            names = "--progress-timeout",
            defaultValue = "150",
            description = "Abort after this many seconds without progress.")
    long progressTimeout;

    MigrationOptions toOptions() {
        MigrationOptions o =
                MigrationOptions.DEFAULT
                        .withDowntimeLimit(Duration.ofMillis(downtimeMs))
                        .withMaxBandwidth(MemorySize.parse(bandwidth).bytes())
                        .withMultifd(multifd, multifdCompression)
                        .withXbzrle(xbzrle)
                        .withTimeouts(
                                Duration.ofSeconds(timeoutPerGiB),
                                Duration.ofSeconds(progressTimeout));
        o =
                new MigrationOptions(
                        o.downtimeLimit(),
                        o.maxBandwidthBytesPerSec(),
                        autoConverge,
                        o.xbzrle(),
                        o.multifdChannels(),
                        o.multifdCompression(),
                        o.postcopy(),
                        o.postcopyAfter(),
                        o.completionTimeoutPerGiB(),
                        o.progressTimeout(),
                        pauseBeforeSwitchover);
        return postcopyAfterSeconds == null
                ? o
                : o.withPostcopy(true, Duration.ofSeconds(postcopyAfterSeconds));
    }
}
