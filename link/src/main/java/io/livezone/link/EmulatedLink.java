package io.livezone.link;

import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of an emulated WAN link, shared by every connection that crosses it.
 *
 * <p>The link is modelled as a wire with a sending queue: a chunk is serialized onto the wire at
 * {@link LinkProfile#bytesPerSec()} after everything queued before it (from any connection), then
 * propagates for {@link LinkProfile#latencyOneWay()} plus a random jitter in {@code [0, jitter]}. A
 * sender may run at most a small burst ahead of the wire; beyond that it is made to wait, which is
 * how the rate limit turns into TCP back-pressure on the real sender.
 *
 * <p>Bytes that are queued or propagating count as "in flight"; the link holds at most {@link
 * #maxInFlightBytes()} of them (by default bandwidth × delay + 1 MiB, like a router buffer) and
 * makes further senders wait. Bytes that have arrived but that a slow receiver has not taken yet
 * are bounded per connection by the tunnel, not here, so one stalled receiver cannot block the
 * other connections on the link.
 *
 * <p>Jitter comes from one seeded generator per link: with one connection its sequence is
 * reproducible, with several the order in which they draw from it depends on scheduling. Since a
 * stream's chunks may not overtake each other, a busy stream sees roughly the largest recent jitter
 * as extra latency; sparse request/response traffic sees the full spread.
 *
 * <p>This class is a model and a clock, not a byte store: the {@link Tunnel} pumps call it and hold
 * the bytes. It is thread-safe.
 */
public final class EmulatedLink {
    /** Spare buffer on top of bandwidth × delay, so short links still absorb a burst. */
    static final long BUFFER_SLACK_BYTES = 1L << 20;

    /** Buffer cap: beyond this the bandwidth × delay product is not worth emulating exactly. */
    static final long MAX_DEFAULT_IN_FLIGHT_BYTES = 256L << 20;

    /**
     * An unlimited link with latency still needs a finite buffer; size it as if the link carried
     * this much, which is above what one loopback stream reaches on the machines we run on.
     */
    static final long UNLIMITED_RATE_ASSUMPTION = 1L << 30;

    private static final int MAX_CHUNK_BYTES = 64 * 1024;
    private static final int MIN_CHUNK_BYTES = 1024;
    private static final long MIN_BURST_BYTES = 16 * 1024;
    private static final long MAX_BURST_BYTES = 256 * 1024;

    private final String name;
    private final LinkProfile profile;
    private final long maxInFlightBytes;
    private final long latencyNanos;
    private final long jitterNanos;
    private final long burstNanos;
    private final int maxChunkBytes;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrivalsDue = lock.newCondition();
    private final PriorityQueue<Arrival> propagating =
            new PriorityQueue<>((a, b) -> Long.compare(a.atNanos, b.atNanos));
    private final SplittableRandom jitterRandom;
    private final AtomicLong bytesCarried = new AtomicLong();
    // Guarded by lock.
    private long wireFreeAtNanos = Long.MIN_VALUE;
    private long inFlightBytes;
    private long peakInFlightBytes;

    private record Arrival(long atNanos, int bytes) {}

    /** A link with a random jitter seed and the default buffer. */
    public EmulatedLink(String name, LinkProfile profile) {
        this(name, profile, new SplittableRandom().nextLong());
    }

    /** A link whose jitter sequence is reproducible from {@code jitterSeed}. */
    public EmulatedLink(String name, LinkProfile profile, long jitterSeed) {
        this(name, profile, jitterSeed, defaultMaxInFlightBytes(profile));
    }

    /**
     * A link with an explicit in-flight limit; also the per-connection limit on bytes it holds (see
     * {@link Tunnel}).
     *
     * @param maxInFlightBytes at least 64 KiB
     */
    public EmulatedLink(String name, LinkProfile profile, long jitterSeed, long maxInFlightBytes) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.profile = Objects.requireNonNull(profile, "profile is null");
        if (maxInFlightBytes < MAX_CHUNK_BYTES || maxInFlightBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "link "
                            + name
                            + ": in-flight limit must be between 64 KiB and 2 GiB, got "
                            + maxInFlightBytes);
        }
        this.maxInFlightBytes = maxInFlightBytes;
        this.latencyNanos = profile.latencyOneWay().toNanos();
        this.jitterNanos = profile.jitter().toNanos();
        this.jitterRandom = new SplittableRandom(jitterSeed);
        long rate = profile.bytesPerSec();
        if (rate > 0) {
            long burstBytes = Math.clamp(rate / 500, MIN_BURST_BYTES, MAX_BURST_BYTES);
            this.burstNanos = serializationNanos(burstBytes, rate);
            // About 2 ms of wire per chunk keeps the rate smooth and the delay line fine-grained.
            this.maxChunkBytes = (int) Math.clamp(rate / 500, MIN_CHUNK_BYTES, MAX_CHUNK_BYTES);
        } else {
            this.burstNanos = 0;
            this.maxChunkBytes = MAX_CHUNK_BYTES;
        }
    }

    /**
     * Bandwidth × (latency + jitter) + 1 MiB, capped at 256 MiB; an unlimited link with delay is
     * sized as if it carried 1 GiB/s.
     */
    public static long defaultMaxInFlightBytes(LinkProfile profile) {
        Objects.requireNonNull(profile, "profile is null");
        long rate = profile.isRateLimited() ? profile.bytesPerSec() : UNLIMITED_RATE_ASSUMPTION;
        double bdp = rate * (profile.maxDelay().toNanos() / 1e9);
        return (long) Math.min(MAX_DEFAULT_IN_FLIGHT_BYTES, bdp + BUFFER_SLACK_BYTES);
    }

    public String name() {
        return name;
    }

    public LinkProfile profile() {
        return profile;
    }

    public long maxInFlightBytes() {
        return maxInFlightBytes;
    }

    /** Bytes put on this link so far, by all connections (the "bytes on the wire" of a run). */
    public long bytesCarried() {
        return bytesCarried.get();
    }

    /** Bytes queued for or propagating on the wire right now. */
    public long inFlightBytes() {
        lock.lock();
        try {
            retireArrived(System.nanoTime());
            return inFlightBytes;
        } finally {
            lock.unlock();
        }
    }

    /** The most bytes that were ever in flight at once; never above {@link #maxInFlightBytes}. */
    public long peakInFlightBytes() {
        lock.lock();
        try {
            return peakInFlightBytes;
        } finally {
            lock.unlock();
        }
    }

    /** True if the profile changes nothing, so the tunnel may copy bytes straight through. */
    boolean passesThrough() {
        return profile.isNone();
    }

    /** The most bytes a pump should hand to {@link #transmit} at once. */
    int maxChunkBytes() {
        return maxChunkBytes;
    }

    /** Counts bytes that went straight through a link with no emulation. */
    void countPassedThrough(long bytes) {
        bytesCarried.addAndGet(bytes);
    }

    /**
     * Puts a chunk on the wire, waiting while the link is full or the sender is more than a burst
     * ahead of the rate limit.
     *
     * @param bytes the chunk size; 0 for a stream's end, which is delayed like data
     * @param notBeforeNanos the previous chunk's arrival on the same connection, so that jitter
     *     never reorders a stream ({@link Long#MIN_VALUE} for the first chunk)
     * @return the {@link System#nanoTime()} at which the chunk reaches the far end: the caller must
     *     not deliver it earlier
     */
    long transmit(int bytes, long notBeforeNanos) throws InterruptedException {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative chunk size " + bytes);
        }
        long arrival;
        long resumeAt;
        lock.lockInterruptibly();
        try {
            long now = System.nanoTime();
            retireArrived(now);
            // A chunk larger than the whole buffer may still go when the wire is empty.
            while (inFlightBytes > 0 && inFlightBytes + bytes > maxInFlightBytes) {
                arrivalsDue.awaitNanos(propagating.element().atNanos - now);
                now = System.nanoTime();
                retireArrived(now);
            }
            long sent = now;
            if (profile.isRateLimited()) {
                long start = Math.max(now, wireFreeAtNanos);
                sent = start + serializationNanos(bytes, profile.bytesPerSec());
                wireFreeAtNanos = sent;
            }
            long jitter = jitterNanos > 0 ? jitterRandom.nextLong(jitterNanos + 1) : 0;
            arrival = Math.max(sent + latencyNanos + jitter, notBeforeNanos);
            resumeAt = sent - burstNanos;
            if (bytes > 0) {
                propagating.add(new Arrival(arrival, bytes));
                inFlightBytes += bytes;
                peakInFlightBytes = Math.max(peakInFlightBytes, inFlightBytes);
                bytesCarried.addAndGet(bytes);
            }
        } finally {
            lock.unlock();
        }
        sleepUntil(resumeAt);
        return arrival;
    }

    private void retireArrived(long now) {
        Arrival head;
        while ((head = propagating.peek()) != null && head.atNanos - now <= 0) {
            propagating.remove();
            inFlightBytes -= head.bytes;
        }
    }

    /** Rounded up, so the link never runs faster than its rate. */
    private static long serializationNanos(long bytes, long bytesPerSec) {
        return (long) Math.ceil(bytes * 1e9 / bytesPerSec);
    }

    /** Sleeps until {@link System#nanoTime()} reaches {@code deadline}; never returns early. */
    static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }

    @Override
    public String toString() {
        return "EmulatedLink[" + name + ", " + profile + "]";
    }
}
