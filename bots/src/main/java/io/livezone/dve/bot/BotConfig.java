package io.livezone.dve.bot;

import java.time.Duration;
import java.util.Objects;

/**
 * How bots behave and measure.
 *
 * @param inputHz inputs sent per second by each bot over UDP
 * @param pingInterval a ping rides on the first input sent once this interval has elapsed, so the
 *     effective interval is never shorter than one input period
 * @param updateTimeout no update for longer than this counts as a disconnect (the bot gives up,
 *     like a real client would)
 * @param connectTimeout TCP connect + JOIN reply timeout
 * @param ioThreads selector threads shared by all bots
 * @param shootProbability chance per input to shoot when another avatar is in view
 * @param namePrefix bots are named {@code <prefix>-<index>}
 * @param seed seed for the bots' behaviour
 */
public record BotConfig(
        int inputHz,
        Duration pingInterval,
        Duration updateTimeout,
        Duration connectTimeout,
        int ioThreads,
        double shootProbability,
        String namePrefix,
        long seed) {

    public BotConfig {
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(updateTimeout, "updateTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(namePrefix, "namePrefix");
        if (inputHz < 1 || inputHz > 1000) {
            throw new IllegalArgumentException("inputHz must be within 1..1000, got " + inputHz);
        }
        requirePositive("pingInterval", pingInterval);
        requirePositive("updateTimeout", updateTimeout);
        requirePositive("connectTimeout", connectTimeout);
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be >= 1, got " + ioThreads);
        }
        if (!(shootProbability >= 0 && shootProbability <= 1)) {
            throw new IllegalArgumentException(
                    "shootProbability must be within [0, 1], got " + shootProbability);
        }
        if (!namePrefix.matches("[A-Za-z0-9._-]{1,20}")) {
            throw new IllegalArgumentException(
                    "namePrefix must be 1-20 chars of [A-Za-z0-9._-], got '" + namePrefix + "'");
        }
    }

    /** 20 Hz inputs, ping every 100 ms, 3 s update timeout. */
    public static BotConfig defaults() {
        return new BotConfig(
                20,
                Duration.ofMillis(100),
                Duration.ofSeconds(3),
                Duration.ofSeconds(5),
                Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4),
                0.1,
                "bot",
                42);
    }

    public BotConfig withInputHz(int hz) {
        return new BotConfig(
                hz,
                pingInterval,
                updateTimeout,
                connectTimeout,
                ioThreads,
                shootProbability,
                namePrefix,
                seed);
    }

    public BotConfig withPingInterval(Duration d) {
        return new BotConfig(
                inputHz,
                d,
                updateTimeout,
                connectTimeout,
                ioThreads,
                shootProbability,
                namePrefix,
                seed);
    }

    public BotConfig withUpdateTimeout(Duration d) {
        return new BotConfig(
                inputHz,
                pingInterval,
                d,
                connectTimeout,
                ioThreads,
                shootProbability,
                namePrefix,
                seed);
    }

    public BotConfig withConnectTimeout(Duration d) {
        return new BotConfig(
                inputHz,
                pingInterval,
                updateTimeout,
                d,
                ioThreads,
                shootProbability,
                namePrefix,
                seed);
    }

    public BotConfig withIoThreads(int n) {
        return new BotConfig(
                inputHz,
                pingInterval,
                updateTimeout,
                connectTimeout,
                n,
                shootProbability,
                namePrefix,
                seed);
    }

    public BotConfig withShootProbability(double p) {
        return new BotConfig(
                inputHz,
                pingInterval,
                updateTimeout,
                connectTimeout,
                ioThreads,
                p,
                namePrefix,
                seed);
    }

    public BotConfig withNamePrefix(String prefix) {
        return new BotConfig(
                inputHz,
                pingInterval,
                updateTimeout,
                connectTimeout,
                ioThreads,
                shootProbability,
                prefix,
                seed);
    }

    public BotConfig withSeed(long s) {
        return new BotConfig(
                inputHz,
                pingInterval,
                updateTimeout,
                connectTimeout,
                ioThreads,
                shootProbability,
                namePrefix,
                s);
    }

    long inputPeriodNanos() {
        return 1_000_000_000L / inputHz;
    }

    private static void requirePositive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
