package io.livezone.dve.bot;

/**
 * A bot's measurements: one window (since the last cut) and the lifetime total, updated together.
 * Written by the bot's I/O thread and read by whoever cuts a window; the lock is uncontended almost
 * always, so it costs next to nothing on the hot path.
 */
final class BotMetrics {
    private MetricsWindow window = new MetricsWindow();
    private MetricsWindow total = new MetricsWindow();
    private long highestTick;

    /** An update without a lateness sample (e.g. the first one). */
    void update(UpdateTracker.Observation o, long gapNanos, long highestTick) {
        update(o, gapNanos, -1, highestTick);
    }

    synchronized void update(
            UpdateTracker.Observation o, long gapNanos, long latenessNanos, long highestTick) {
        this.highestTick = highestTick;
        window.record(o, gapNanos, latenessNanos, highestTick);
        total.record(o, gapNanos, latenessNanos, highestTick);
    }

    synchronized void rtt(long nanos) {
        LatencySummary.recordNanos(window.rtt, nanos);
        LatencySummary.recordNanos(total.rtt, nanos);
        window.pongsReceived++;
        total.pongsReceived++;
    }

    synchronized void pingSent() {
        window.pingsSent++;
        total.pingsSent++;
    }

    synchronized void malformedPacket() {
        window.malformedPackets++;
        total.malformedPackets++;
    }

    synchronized void controlError() {
        window.controlErrors++;
        total.controlErrors++;
    }

    synchronized void sendError() {
        window.sendErrors++;
        total.sendErrors++;
    }

    synchronized void disconnected(String reason) {
        window.disconnectReason = reason;
        total.disconnectReason = reason;
    }

    synchronized long highestTick() {
        return highestTick;
    }

    /** Returns the current window and starts a new one. */
    synchronized MetricsWindow cutWindow() {
        MetricsWindow finished = window;
        window = new MetricsWindow();
        window.highestTick = highestTick;
        return finished;
    }

    /** Starts the lifetime total afresh (the disconnect reason, if any, is kept). */
    synchronized void resetTotal() {
        String reason = total.disconnectReason;
        total = new MetricsWindow();
        total.highestTick = highestTick;
        total.disconnectReason = reason;
    }

    synchronized MetricsWindow total() {
        return total.copy();
    }
}
