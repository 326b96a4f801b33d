package io.livezone.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One switchover hold of one zone, as its migration driver sees it. The driver checks {@link
 * #abortRequired()} (or listens on {@link #abortRequested()}): when the hold overflowed or expired,
 * it aborts the migration and calls {@code release(zone, sourceLocation)}; otherwise it calls
 * {@code release(zone, destination)} once the destination runs. Either way nothing held is lost:
 * release forwards it. The handle stays readable after release. Thread-safe.
 */
public final class HoldHandle {
    private final String zone;
    private final long startedNanos;
    private final CompletableFuture<HoldProblem> abortRequested = new CompletableFuture<>();

    private volatile long endedNanos;
    private volatile boolean released;
    private volatile boolean overflowed;
    private volatile boolean expired;
    private volatile HoldProblem firstProblem;
    private volatile int heldPackets;
    private volatile long heldBytes;
    private volatile int maxHeldPackets;
    private volatile long maxHeldBytes;
    private volatile long totalHeldPackets;
    private volatile long droppedPackets;
    private volatile long replayedPackets;

    HoldHandle(String zone, long startedNanos) {
        this.zone = zone;
        this.startedNanos = startedNanos;
    }

    public String zone() {
        return zone;
    }

    /** True once released (to the destination, or back to the source after an abort). */
    public boolean isReleased() {
        return released;
    }

    /** True when the migration should be aborted: the hold overflowed or expired. */
    public boolean abortRequired() {
        return firstProblem != null;
    }

    /** The first problem the hold ran into, if any. */
    public Optional<HoldProblem> problem() {
        return Optional.ofNullable(firstProblem);
    }

    public boolean overflowed() {
        return overflowed;
    }

    public boolean expired() {
        return expired;
    }

    /**
     * Completes with the first problem as soon as it happens (on a pool thread, never on the
     * gateway's loop); never completes for a clean hold.
     */
    public CompletionStage<HoldProblem> abortRequested() {
        return abortRequested.minimalCompletionStage();
    }

    /** Packets (datagrams, stream chunks) held right now. */
    public int heldPackets() {
        return heldPackets;
    }

    /** Bytes held right now. */
    public long heldBytes() {
        return heldBytes;
    }

    public int maxHeldPackets() {
        return maxHeldPackets;
    }

    public long maxHeldBytes() {
        return maxHeldBytes;
    }

    /** Every packet this hold took in (all were or will be forwarded on release). */
    public long totalHeldPackets() {
        return totalHeldPackets;
    }

    /**
     * Datagrams forwarded just before the hold that are (or were) sent again on release, ahead of
     * the held ones ({@link GatewayConfig#switchoverReplay()}); not part of {@link
     * #totalHeldPackets()}.
     */
    public long replayedPackets() {
        return replayedPackets;
    }

    /** UDP datagrams dropped (and counted) because the buffer was full; 0 unless overflowed. */
    public long droppedPackets() {
        return droppedPackets;
    }

    /** How long the hold lasted, or has lasted so far. */
    public Duration duration() {
        long end = released ? endedNanos : System.nanoTime();
        return Duration.ofNanos(end - startedNanos);
    }

    @Override
    public String toString() {
        return "HoldHandle[zone="
                + zone
                + (released ? ", released" : ", holding")
                + (overflowed ? ", overflowed" : "")
                + (expired ? ", expired" : "")
                + ", held="
                + totalHeldPackets
                + ", replayed="
                + replayedPackets
                + ", dropped="
                + droppedPackets
                + ", "
                + duration().toMillis()
                + " ms]";
    }

    // Mutators: event loop only.

    void held(int packetsNow, long bytesNow) {
        heldPackets = packetsNow;
        heldBytes = bytesNow;
        totalHeldPackets++;
        maxHeldPackets = Math.max(maxHeldPackets, packetsNow);
        maxHeldBytes = Math.max(maxHeldBytes, bytesNow);
    }

    void replayed(int packetsNow, long bytesNow) {
        heldPackets = packetsNow;
        heldBytes = bytesNow;
        replayedPackets++;
        maxHeldPackets = Math.max(maxHeldPackets, packetsNow);
        maxHeldBytes = Math.max(maxHeldBytes, bytesNow);
    }

    void dropped() {
        droppedPackets++;
    }

    void report(HoldProblem problem) {
        switch (problem) {
            case OVERFLOWED -> overflowed = true;
            case EXPIRED -> expired = true;
        }
        if (firstProblem == null) {
            firstProblem = problem;
            // Completed off the loop: the driver's reaction (cancelling a migration) may block.
            CompletableFuture.runAsync(() -> abortRequested.complete(problem));
        }
    }

    void released(long nowNanos) {
        heldPackets = 0;
        heldBytes = 0;
        endedNanos = nowNanos;
        released = true;
    }
}
