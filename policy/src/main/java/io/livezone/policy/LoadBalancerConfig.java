package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link DecentralizedLoadBalancer} (process migration paper §IV). Loads are percentages
 * of one host's CPU; hosts are assumed alike, so a zone's CPU share is the same wherever it runs.
 *
 * @param criticalLoadPct a host above this load sends a zone even when it is within δ of the mean,
 *     and never accepts a zone that would take it above
 * @param deltaPct δ: a host more than this many percentage points above the estimated cluster mean
 *     sends a zone
 * @param calmDown after a move, neither end sends another until this has passed, so the next
 *     decision sees loads that include the move
 * @param reportMaxAge load reports older than this are ignored: the host has left or lost contact
 * @param reservationTimeout a receiver that accepted a proposal frees its slot if the sender has
 *     not committed within this time
 */
public record LoadBalancerConfig(
        double criticalLoadPct,
        double deltaPct,
        Duration calmDown,
        Duration reportMaxAge,
        Duration reservationTimeout) {
    public static final double DEFAULT_CRITICAL_LOAD_PCT = 90;
    public static final double DEFAULT_DELTA_PCT = 5;
    public static final Duration DEFAULT_CALM_DOWN = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REPORT_MAX_AGE = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RESERVATION_TIMEOUT = Duration.ofSeconds(10);

    public LoadBalancerConfig {
        Objects.requireNonNull(calmDown, "calmDown is null");
        Objects.requireNonNull(reportMaxAge, "reportMaxAge is null");
        Objects.requireNonNull(reservationTimeout, "reservationTimeout is null");
        if (!(criticalLoadPct > 0 && criticalLoadPct <= 100)) {
            throw new InvalidInputException(
                    "critical load threshold must be in (0, 100] % of a host's CPU, got "
                            + criticalLoadPct);
        }
        if (!(deltaPct > 0 && deltaPct < 100)) {
            throw new InvalidInputException(
                    "δ (how far above the cluster mean a host may run before it sends a zone)"
                            + " must be in (0, 100) percentage points, got "
                            + deltaPct);
        }
        if (calmDown.isNegative()) {
            throw new InvalidInputException("calm-down period must be >= 0, got " + calmDown);
        }
        if (reportMaxAge.isNegative() || reportMaxAge.isZero()) {
            throw new InvalidInputException("load report max age must be > 0, got " + reportMaxAge);
        }
        if (reservationTimeout.isNegative() || reservationTimeout.isZero()) {
            throw new InvalidInputException(
                    "reservation timeout must be > 0, got " + reservationTimeout);
        }
    }

    public static LoadBalancerConfig defaults() {
        return new LoadBalancerConfig(
                DEFAULT_CRITICAL_LOAD_PCT,
                DEFAULT_DELTA_PCT,
                DEFAULT_CALM_DOWN,
                DEFAULT_REPORT_MAX_AGE,
                DEFAULT_RESERVATION_TIMEOUT);
    }
}
