package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link ServerSwitchingPolicy}. CPU figures are % of one service VM's CPU, averaged over
 * the active VMs.
 *
 * @param highCpuPct mean CPU over the window at or above which hibernated VMs are resumed
 * @param targetCpuPct the utilisation a scale-out aims for, and that a scale-in must stay under
 * @param lowCpuPct mean CPU over the window at or below which one VM is taken out of rotation
 * @param window how long the mean is taken over; also how long the server set must have been
 *     stable, so a decision never rests on samples from before the last switch
 * @param idleHostCpuPct a host below this CPU, hosting none of the service's VMs, may receive a
 *     resumed VM
 * @param minActive the service never runs on fewer active VMs
 */
public record ServerSwitchingConfig(
        double highCpuPct,
        double targetCpuPct,
        double lowCpuPct,
        Duration window,
        double idleHostCpuPct,
        int minActive) {
    public static final double DEFAULT_HIGH_CPU_PCT = 90;
    public static final double DEFAULT_TARGET_CPU_PCT = 70;
    public static final double DEFAULT_LOW_CPU_PCT = 30;
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
    public static final double DEFAULT_IDLE_HOST_CPU_PCT = 30;

    public ServerSwitchingConfig {
        Objects.requireNonNull(window, "window is null");
        if (!(lowCpuPct > 0
                && lowCpuPct < targetCpuPct
                && targetCpuPct < highCpuPct
                && highCpuPct <= 100)) {
            throw new InvalidInputException(
                    "server switching needs 0 < low < target < high <= 100 % CPU, got low "
                            + lowCpuPct
                            + ", target "
                            + targetCpuPct
                            + ", high "
                            + highCpuPct);
        }
        if (window.isNegative() || window.isZero()) {
            throw new InvalidInputException("observation window must be > 0, got " + window);
        }
        if (!(idleHostCpuPct > 0 && idleHostCpuPct <= 100)) {
            throw new InvalidInputException(
                    "idle host threshold must be in (0, 100] % CPU, got " + idleHostCpuPct);
        }
        if (minActive < 1) {
            throw new InvalidInputException(
                    "a service needs at least 1 active VM, got minActive " + minActive);
        }
    }

    public static ServerSwitchingConfig defaults() {
        return new ServerSwitchingConfig(
                DEFAULT_HIGH_CPU_PCT,
                DEFAULT_TARGET_CPU_PCT,
                DEFAULT_LOW_CPU_PCT,
                DEFAULT_WINDOW,
                DEFAULT_IDLE_HOST_CPU_PCT,
                1);
    }
}
