package io.livezone.sim.engine;

import io.livezone.core.InvalidInputException;

import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A discrete-event loop on a simulated clock in milliseconds. Events run in time order; events at
 * the same time run in the order they were scheduled, so a run is a pure function of its inputs and
 * seed. Single-threaded: events schedule further events from inside {@link #run}.
 */
public final class EventLoop {
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long now;
    private long sequence;
    private long processed;

    /** Current simulated time, ms since the start of the run. */
    public long now() {
        return now;
    }

    /** Events run so far. */
    public long processed() {
        return processed;
    }

    public void at(long timeMs, Runnable action) {
        Objects.requireNonNull(action, "action is null");
        if (timeMs < now) {
            throw new InvalidInputException(
                    "cannot schedule an event at "
                            + timeMs
                            + " ms: the clock is at "
                            + now
                            + " ms");
        }
        queue.add(new Event(timeMs, sequence++, action));
    }

    public void after(long delayMs, Runnable action) {
        at(now + delayMs, action);
    }

    /**
     * Runs {@code action} at {@code firstMs} and then every {@code periodMs}, until the run ends.
     */
    public void every(long firstMs, long periodMs, Runnable action) {
        if (periodMs <= 0) {
            throw new InvalidInputException("period must be > 0 ms, got " + periodMs);
        }
        at(
                firstMs,
                new Runnable() {
                    @Override
                    public void run() {
                        action.run();
                        after(periodMs, this);
                    }
                });
    }

    /** Runs every event due at or before {@code endMs}, then leaves the clock at {@code endMs}. */
    public void runUntil(long endMs) {
        while (!queue.isEmpty() && queue.peek().timeMs <= endMs) {
            Event event = queue.poll();
            now = event.timeMs;
            processed++;
            event.action.run();
        }
        now = Math.max(now, endMs);
    }

    private record Event(long timeMs, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(timeMs, other.timeMs);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
