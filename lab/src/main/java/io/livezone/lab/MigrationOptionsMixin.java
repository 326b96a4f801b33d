package io.livezone.lab;

import io.livezone.core.MemorySize;
import io.livezone.core.MigrationOptions;

import picocli.CommandLine.Option;

import java.time.Duration;

/** Migration tuning flags shared by commands that migrate. */
public final class MigrationOptionsMixin {
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

    public MigrationOptions toOptions() {
        MigrationOptions.Builder b =
                MigrationOptions.DEFAULT.toBuilder()
                        .downtimeLimit(Duration.ofMillis(downtimeMs))
                        .maxBandwidthBytesPerSec(MemorySize.parse(bandwidth).bytes())
                        .autoConverge(autoConverge)
                        .xbzrle(xbzrle)
                        .multifdChannels(multifd)
                        .multifdCompression(multifdCompression)
                        .completionTimeoutPerGiB(Duration.ofSeconds(timeoutPerGiB))
                        .progressTimeout(Duration.ofSeconds(progressTimeout))
                        .pauseBeforeSwitchover(pauseBeforeSwitchover);
        if (postcopyAfterSeconds != null) {
            b.postcopy(true).postcopyAfter(Duration.ofSeconds(postcopyAfterSeconds));
        }
        return b.build();
    }
}
