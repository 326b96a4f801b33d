package io.livezone.sim.scenario;

import io.livezone.core.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/** Checks for the scenario configs' durations. */
final class Durations {
    private Durations() {}

    static long positiveMs(Duration duration, String what) {
        Objects.requireNonNull(duration, what + " is null");
        if (duration.toMillis() <= 0) {
            throw new InvalidInputException(what + " must be at least 1 ms, got " + duration);
        }
        return duration.toMillis();
    }

    static long nonNegativeMs(Duration duration, String what) {
        Objects.requireNonNull(duration, what + " is null");
        if (duration.isNegative()) {
            throw new InvalidInputException(what + " must be >= 0, got " + duration);
        }
        return duration.toMillis();
    }
}
