package io.livezone.dve.server;

import java.util.function.LongConsumer;

/**
 * Fixed-rate tick schedule with bounded catch-up.
 *
 * <p>Tick numbers come from a single counter, so they are strictly sequential whatever the clock
 * does. If the loop wakes up late (GC, overloaded host, VM paused for migration, guest clock jump)
 * the missed ticks are run back-to-back, but at most {@code maxCatchUp} per wakeup: after a long
 * pause the schedule is re-anchored to "now" instead of replaying seconds of ticks in a burst,
 * which players would see as fast-forward. A clock that jumps backwards re-anchors as well, so the
 * loop never stalls waiting for a deadline far in the future.
 *
 * <p>Not thread-safe: driven by the single tick thread (or a test).
 */
final class TickLoop {
    private final long periodNanos;
    private final int maxCatchUp;
    private final NanoClock clock;
    private final LongConsumer onTick;

    private boolean started;
    private long nextTickAt;
    private long tick;
    private long catchUpTicks;
    private long reanchors;

    TickLoop(long periodNanos, int maxCatchUp, NanoClock clock, LongConsumer onTick) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("period must be positive");
        }
        if (maxCatchUp < 1) {
            throw new IllegalArgumentException("maxCatchUp must be >= 1");
        }
        this.periodNanos = periodNanos;
        this.maxCatchUp = maxCatchUp;
        this.clock = clock;
        this.onTick = onTick;
    }

    static long periodForHz(int tickHz) {
        return 1_000_000_000L / tickHz;
    }

    /**
     * Runs the ticks that are due (between 0 and {@code maxCatchUp}) and returns how long to wait
     * before calling again, in nanoseconds (0 if more ticks are already due).
     */
    long runDueTicks() {
        long now = clock.nanoTime();
        if (!started) {
            started = true;
            nextTickAt = now;
        }
        // Differences, never absolute comparisons: nanoTime may be anywhere in the long range.
        long late = now - nextTickAt;
        if (late < 0) {
            if (-late > periodNanos) {
                // The clock went backwards: waiting for the old deadline could stall us for ages.
                nextTickAt = now + periodNanos;
                reanchors++;
            }
            return nextTickAt - now;
        }
        long due = late / periodNanos + 1;
        int run = (int) Math.min(due, maxCatchUp);
        for (int i = 0; i < run; i++) {
            onTick.accept(++tick);
        }
        catchUpTicks += run - 1;
        long after = clock.nanoTime();
        if (due > maxCatchUp) {
            // Drop the backlog of schedule slots (never tick numbers) and restart the cadence from
            // now.
            nextTickAt = after + periodNanos;
            reanchors++;
        } else {
            nextTickAt += run * periodNanos;
        }
        return Math.max(0, nextTickAt - after);
    }

    long lastTick() {
        return tick;
    }

    /** Ticks run back-to-back beyond the first of a wakeup. */
    long catchUpTicks() {
        return catchUpTicks;
    }

    /** Times the schedule was restarted from "now" (long pause or clock jump). */
    long reanchors() {
        return reanchors;
    }
}
