package io.livezone.bots.clients;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A server browser that keeps querying one Teeworlds server at a fixed rate in the background, as a
 * player's client does while it shows the server list, and keeps what a player would notice.
 */
public final class TeeworldsBrowser implements AutoCloseable {
    /**
     * What the browser saw.
     *
     * @param answered queries answered
     * @param failed queries that got no answer even after a new handshake (client errors)
     * @param retries requests sent again after a silence (datagrams lost)
     * @param reconnects handshakes after the first: the server had forgotten its token
     * @param maxSilenceMs longest time between two answers
     * @param lastInfo the latest answer, or null
     */
    public record Stats(
            long answered,
            long failed,
            long retries,
            long reconnects,
            double maxSilenceMs,
            TeeworldsQuery.Info lastInfo) {}

    private final TeeworldsQuery query;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean running = true;
    private long answered;
    private long failed;
    private long lastAnswerNanos;
    private long maxSilenceNanos;
    private TeeworldsQuery.Info lastInfo;
    private long retries;
    private long handshakes;

    private TeeworldsBrowser(InetSocketAddress server, Duration interval) throws IOException {
        this.query = TeeworldsQuery.open(server);
        this.interval = interval;
        this.thread = Thread.ofPlatform().daemon().name("teeworlds-browser").start(this::loop);
    }

    /** Starts querying {@code server} every {@code interval}. */
    public static TeeworldsBrowser start(InetSocketAddress server, Duration interval)
            throws IOException {
        return new TeeworldsBrowser(server, interval);
    }

    private void loop() {
        while (running) {
            try {
                TeeworldsQuery.Info info = query.query(Duration.ofSeconds(1));
                long now = System.nanoTime();
                synchronized (this) {
                    if (lastAnswerNanos != 0) {
                        maxSilenceNanos = Math.max(maxSilenceNanos, now - lastAnswerNanos);
                    }
                    lastAnswerNanos = now;
                    lastInfo = info;
                    answered++;
                }
            } catch (IOException e) {
                synchronized (this) {
                    failed++;
                }
            }
            synchronized (this) { // the query is this thread's alone
                retries = query.retries();
                handshakes = query.handshakes();
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public synchronized Stats stats() {
        return new Stats(
                answered,
                failed,
                retries,
                Math.max(0, handshakes - 1),
                maxSilenceNanos / 1e6,
                lastInfo);
    }

    /** Waits until {@code more} further answers came; false if the timeout passed first. */
    public boolean awaitAnswers(long more, Duration timeout) throws InterruptedException {
        long target;
        synchronized (this) {
            target = answered + more;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                if (answered >= target) {
                    return true;
                }
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        query.close();
    }
}
