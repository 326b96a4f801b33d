package io.livezone.lab.faults;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A player that increments a counter in the zone's Redis through the gateway, every 50 ms, over one
 * connection it opens again whenever it breaks. Every value Redis acknowledged is kept (the
 * highest): after any fault the counter must still be at least that — an acknowledged write lost is
 * a zone that went back in time.
 */
final class RedisCounter implements AutoCloseable {
    private static final String KEY = "lz:faults";
    private static final int TIMEOUT_MS = 3000;

    private final String host;
    private final int port;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    RedisCounter(String host, int port) {
        this.host = host;
        this.port = port;
        this.thread = Thread.ofPlatform().daemon().name("redis-counter").start(this::loop);
    }

    /** The highest value Redis acknowledged. */
    long lastAcked() {
        return acked.get();
    }

    /** Increments acknowledged so far. */
    long acks() {
        return acks.get();
    }

    long failures() {
        return failures.get();
    }

    /** The counter's value now, read over a new connection (retried up to {@code timeout}). */
    long read(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Jedis j = jedis()) {
                String v = j.get(KEY);
                return v == null ? 0 : Long.parseLong(v);
            } catch (JedisException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "cannot read the counter at " + host + ":" + port + ": " + e, e);
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * Waits until {@code more} further increments are acknowledged; false after {@code timeout}.
     */
    boolean awaitAcks(long more, Duration timeout) throws InterruptedException {
        long target = acks.get() + more;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acks.get() < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private Jedis jedis() {
        return new Jedis(
                new HostAndPort(host, port),
                DefaultJedisClientConfig.builder()
                        .timeoutMillis(TIMEOUT_MS)
                        .protocol(RedisProtocol.RESP2)
                        .build());
    }

    private void loop() {
        while (!closed) {
            try (Jedis j = jedis()) {
                while (!closed) {
                    long v = j.incr(KEY);
                    acked.accumulateAndGet(v, Math::max);
                    acks.incrementAndGet();
                    Thread.sleep(50);
                }
            } catch (JedisException e) {
                // The increment in flight is unacknowledged: it may or may not have happened.
                failures.incrementAndGet();
                sleepQuietly(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.interrupt();
        thread.join(5000);
    }
}
