package io.livezone.link;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How one direction of an inter-site link behaves: every byte is delayed by {@code latencyOneWay}
 * plus a uniformly random extra delay in {@code [0, jitter]}, and the link carries at most {@code
 * bytesPerSec} bytes per second (0 = unlimited).
 *
 * <p>Jitter only ever adds delay, so {@code latencyOneWay} is a hard lower bound, and it never
 * reorders bytes of one connection (a TCP stream cannot reorder).
 */
public record LinkProfile(Duration latencyOneWay, Duration jitter, long bytesPerSec) {
    /**
     * Anything slower is almost certainly a unit mistake in the cluster file (and would make
     * bandwidth × delay buffers absurd).
     */
    static final Duration MAX_DELAY = Duration.ofMinutes(1);

    /** No delay, no rate limit: what a link inside one site, or a real deployment, looks like. */
    public static final LinkProfile NONE = new LinkProfile(Duration.ZERO, Duration.ZERO, 0);

    public LinkProfile {
        Objects.requireNonNull(latencyOneWay, "latencyOneWay is null");
        Objects.requireNonNull(jitter, "jitter is null");
        checkDelay("latency", latencyOneWay);
        checkDelay("jitter", jitter);
        if (bytesPerSec < 0) {
            throw new IllegalArgumentException(
                    "link bandwidth must be >= 0 bytes/s (0 = unlimited), got " + bytesPerSec);
        }
    }

    private static void checkDelay(String what, Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(
                    "link " + what + " must not be negative, got " + Durations.format(d));
        }
        if (d.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(
                    "link "
                            + what
                            + " "
                            + Durations.format(d)
                            + " exceeds "
                            + Durations.format(MAX_DELAY)
                            + "; check the unit (e.g. 50ms, not 50s)");
        }
    }

    /**
     * Builds a profile from the cluster file's strings, e.g. {@code parse("50ms", "5ms",
     * "100mbit")}.
     *
     * @throws IllegalArgumentException saying which of the three fields is wrong
     */
    public static LinkProfile parse(String latencyOneWay, String jitter, String bandwidth) {
        Duration latency = field("latency", latencyOneWay, Durations::parse);
        Duration j = field("jitter", jitter, Durations::parse);
        long rate = field("bandwidth", bandwidth, Bandwidth::parse);
        return new LinkProfile(latency, j, rate);
    }

    private static <T> T field(String name, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("link " + name + ": " + e.getMessage(), e);
        }
    }

    /** Only delay: the same latency and jitter with no rate limit. */
    public static LinkProfile delay(Duration latencyOneWay, Duration jitter) {
        return new LinkProfile(latencyOneWay, jitter, 0);
    }

    /** Only a rate limit, no added delay. */
    public static LinkProfile rate(long bytesPerSec) {
        return new LinkProfile(Duration.ZERO, Duration.ZERO, bytesPerSec);
    }

    /** True if this profile changes nothing: bytes pass straight through. */
    public boolean isNone() {
        return latencyOneWay.isZero() && jitter.isZero() && bytesPerSec == 0;
    }

    public boolean isRateLimited() {
        return bytesPerSec > 0;
    }

    /** The largest delay a byte can see, ignoring queueing behind the rate limit. */
    public Duration maxDelay() {
        return latencyOneWay.plus(jitter);
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "LinkProfile[none]";
        }
        return "LinkProfile[latency="
                + Durations.format(latencyOneWay)
                + ", jitter=+0.."
                + Durations.format(jitter)
                + ", bandwidth="
                + Bandwidth.format(bytesPerSec)
                + "]";
    }
}
