package io.livezone.planner;

import io.livezone.core.InvalidInputException;
import io.livezone.core.MigrationOptions;

import java.util.List;
import java.util.Objects;

/**
 * How long one pre-copy live migration takes, with its calibratable constants.
 *
 * <p>time = setup + handshakes × RTT + (disk + Σ rounds + final copy) / (efficiency × bandwidth),
 * where round i of memory M at dirty rate D and bandwidth B sends M·(D/B)^i until what is left fits
 * in B × downtime limit (the multi-zone migration paper's model; details and auto-converge in
 * {@link PreCopy}).
 *
 * @param setupSeconds work before the first byte that does not cross the network: starting the
 *     destination QEMU with {@code -incoming}, setting capabilities
 * @param handshakeRoundTrips exchanges that do cross it (connect, switchover acknowledgements),
 *     which is why 100 ms RTT matters even for a small zone
 * @param efficiency share of the nominal bandwidth a migration stream achieves (TCP and protocol
 *     overhead, zero pages sent as markers can even push it above 1); fit it with {@link #fit}
 * @param downtimeLimitSeconds QEMU's downtime-limit
 * @param autoConverge QEMU's auto-converge capability (LiveZone turns it on)
 */
public record MigrationTimeModel(
        double setupSeconds,
        int handshakeRoundTrips,
        double efficiency,
        double downtimeLimitSeconds,
        boolean autoConverge) {

    /**
     * Defaults until calibrated: 1 s to start a destination QEMU, 4 round trips, 94% of line rate
     * (TCP over 1500-byte frames), and LiveZone's own migration defaults.
     */
    public static final MigrationTimeModel DEFAULT =
            new MigrationTimeModel(1.0, 4, 0.94, 0.030, true).withOptions(MigrationOptions.DEFAULT);

    public MigrationTimeModel {
        if (!(setupSeconds >= 0) || Double.isInfinite(setupSeconds)) {
            throw new InvalidInputException("setup time must be >= 0 s, got " + setupSeconds);
        }
        if (handshakeRoundTrips < 0) {
            throw new InvalidInputException(
                    "handshake round trips must be >= 0, got " + handshakeRoundTrips);
        }
        if (!(efficiency > 0) || Double.isInfinite(efficiency)) {
            throw new InvalidInputException("efficiency must be > 0, got " + efficiency);
        }
        if (!(downtimeLimitSeconds > 0) || Double.isInfinite(downtimeLimitSeconds)) {
            throw new InvalidInputException(
                    "downtime limit must be > 0 s, got " + downtimeLimitSeconds);
        }
    }

    /** This model with the downtime limit and auto-converge the executor will really use. */
    public MigrationTimeModel withOptions(MigrationOptions options) {
        Objects.requireNonNull(options, "options is null");
        return new MigrationTimeModel(
                setupSeconds,
                handshakeRoundTrips,
                efficiency,
                options.downtimeLimit().toNanos() / 1e9,
                options.autoConverge());
    }

    /** Seconds before the first byte moves, between hosts {@code rttSeconds} apart. */
    public double setupTime(double rttSeconds) {
        return setupSeconds + handshakeRoundTrips * rttSeconds;
    }

    /** One migration alone on a path of {@code nominalBytesPerSec}. */
    public MigrationEstimate estimate(
            double nominalBytesPerSec,
            long memoryBytes,
            long diskBytes,
            double dirtyBytesPerSec,
            double rttSeconds) {
        if (!(nominalBytesPerSec > 0) || Double.isInfinite(nominalBytesPerSec)) {
            throw new InvalidInputException(
                    "bandwidth must be > 0 bytes/s, got " + nominalBytesPerSec);
        }
        if (memoryBytes <= 0 || diskBytes < 0 || !(dirtyBytesPerSec >= 0) || !(rttSeconds >= 0)) {
            throw new InvalidInputException(
                    "memory must be > 0 and disk, dirty rate and RTT >= 0; got memory "
                            + memoryBytes
                            + ", disk "
                            + diskBytes
                            + ", dirty rate "
                            + dirtyBytesPerSec
                            + ", RTT "
                            + rttSeconds);
        }
        return atRate(
                nominalBytesPerSec * efficiency,
                memoryBytes,
                diskBytes,
                dirtyBytesPerSec,
                rttSeconds);
    }

    /** As {@link #estimate} at an already effective rate (efficiency applied or not applicable). */
    MigrationEstimate atRate(
            double rate, long memoryBytes, long diskBytes, double dirtyRate, double rttSeconds) {
        PreCopy copy =
                new PreCopy(
                        memoryBytes, diskBytes, dirtyRate, downtimeLimitSeconds, autoConverge, 0);
        double t = 0;
        while (copy.phase() != PreCopy.Phase.DONE) {
            t += copy.phaseBytes() / rate;
            copy.phaseSent(t);
        }
        double setup = setupTime(rttSeconds);
        return new MigrationEstimate(
                setup + t,
                setup,
                copy.downtime(),
                copy.rounds(),
                copy.bytesSent(),
                copy.throttlePercent(),
                copy.converged());
    }

    /**
     * Fits setup time and efficiency to measured runs, keeping the rest of {@code base}: least
     * squares on {@code total − handshakes × RTT = setup + (bytes / nominal) / efficiency}, so
     * efficiency is measured throughput over nominal once the fixed cost is taken out. With one run
     * (or runs all of the same size) setup cannot be told apart from transfer, so {@code base}'s
     * setup is kept and only efficiency is fitted.
     */
    public static MigrationTimeModel fit(List<MeasuredMigration> runs, MigrationTimeModel base) {
        Objects.requireNonNull(runs, "runs is null");
        Objects.requireNonNull(base, "base is null");
        if (runs.isEmpty()) {
            throw new InvalidInputException("calibration needs at least one measured migration");
        }
        int n = runs.size();
        double[] x = new double[n];
        double[] y = new double[n];
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < n; i++) {
            MeasuredMigration run = Objects.requireNonNull(runs.get(i), "run is null");
            x[i] = run.bytesSent() / run.nominalBytesPerSec();
            y[i] = run.totalSeconds() - base.handshakeRoundTrips() * run.rttSeconds();
            meanX += x[i] / n;
            meanY += y[i] / n;
        }
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - meanX) * (x[i] - meanX);
            sxy += (x[i] - meanX) * (y[i] - meanY);
        }
        double setup;
        double slope;
        if (sxx > 1e-12 * meanX * meanX) {
            slope = sxy / sxx;
            setup = meanY - slope * meanX;
            if (setup < 0) {
                // Noise can put the intercept below zero; no migration is faster than free.
                setup = 0;
                slope = throughOrigin(x, y);
            }
        } else {
            setup = base.setupSeconds();
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += x[i] * (y[i] - setup);
            }
            double sumXx = 0;
            for (double v : x) {
                sumXx += v * v;
            }
            slope = sum / sumXx;
        }
        if (!(slope > 0)) {
            throw new InvalidInputException(
                    "measured migrations take no longer than the "
                            + setup
                            + " s setup alone; check the runs' times and handshake round trips");
        }
        return new MigrationTimeModel(
                setup,
                base.handshakeRoundTrips(),
                1 / slope,
                base.downtimeLimitSeconds(),
                base.autoConverge());
    }

    private static double throughOrigin(double[] x, double[] y) {
        double xy = 0;
        double xx = 0;
        for (int i = 0; i < x.length; i++) {
            xy += x[i] * y[i];
            xx += x[i] * x[i];
        }
        return xy / xx;
    }
}
