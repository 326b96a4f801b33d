package io.livezone.dve.bot;

/**
 * A bot's measurements: one window (since the last cut) and the lifetime total, updated together.
 * Written by the bot's I/O thread and read by whoever cuts a window; the lock is uncontended almost
 * always, so it costs next to nothing on the hot path.
 */
final class BotMetrics {
    private MetricsWindow window = new MetricsWindow();
    private final MetricsWindow total = new MetricsWindow();
    private long highestTick;

    synchronized void update(UpdateTracker.Observation o, long gapNanos, long highestTick) {
        this.highestTick = highestTick;
        window.record(o, gapNanos, highestTick);
        total.record(o, gapNanos, highestTick);
    }

    synchronized void rtt(long nanos) {
        window.rtt.recordNanos(nanos);
        total.rtt.recordNanos(nanos);
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

    /** Returns the current window and starts a new one. */
    synchronized MetricsWindow cutWindow() {
        MetricsWindow finished = window;
        window = new MetricsWindow();
        window.highestTick = highestTick;
        return finished;
    }

    synchronized MetricsWindow total() {
        return total.copy();
    }
}
