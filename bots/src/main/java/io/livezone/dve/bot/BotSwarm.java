package io.livezone.dve.bot;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A population of bots playing in one zone, with windowed measurements: call {@link #cutWindow()}
 * right before and right after a migration to get per-migration figures.
 */
public final class BotSwarm implements AutoCloseable {
    /**
     * Concurrent JOIN handshakes: enough to be quick, few enough not to overflow accept backlogs.
     */
    private static final int JOIN_PARALLELISM = 32;

    private final List<Bot> bots;
    private final List<BotShard> shards;
    private final CountDownLatch receiving;
    private long startedAt;
    private long windowStart;
    private boolean closed;

    private BotSwarm(
            List<Bot> bots, List<BotShard> shards, CountDownLatch receiving, long startedAt) {
        this.bots = bots;
        this.shards = shards;
        this.receiving = receiving;
        this.startedAt = startedAt;
        this.windowStart = startedAt;
    }

    /**
     * Joins {@code bots} bots to the zone (TCP JOIN, UDP port from WELCOME) and starts them
     * playing.
     *
     * @throws ZoneUnreachableException if the zone's TCP endpoint cannot be reached
     * @throws IOException if the zone refuses a JOIN or answers nonsense
     */
    public static BotSwarm start(InetSocketAddress zoneTcpEndpoint, int bots, BotConfig config)
            throws IOException {
        Objects.requireNonNull(zoneTcpEndpoint, "zoneTcpEndpoint");
        Objects.requireNonNull(config, "config");
        if (bots < 1) {
            throw new IllegalArgumentException("bots must be >= 1, got " + bots);
        }
        List<Bot> joined = joinAll(zoneTcpEndpoint, bots, config);
        CountDownLatch receiving = new CountDownLatch(bots);
        int shardCount = Math.min(config.ioThreads(), bots);
        List<BotShard> shards = new ArrayList<>(shardCount);
        try {
            for (int s = 0; s < shardCount; s++) {
                List<Bot> mine = new ArrayList<>();
                for (int i = s; i < bots; i += shardCount) {
                    mine.add(joined.get(i));
                }
                shards.add(new BotShard("bot-io-" + s, mine, config.inputPeriodNanos(), receiving));
            }
        } catch (IOException | RuntimeException e) {
            joined.forEach(Bot::closeChannels);
            throw e;
        }
        long now = System.nanoTime();
        long period = config.inputPeriodNanos();
        for (Bot bot : joined) {
            // Spread sends evenly over the period, as independent players would, instead of in
            // bursts.
            bot.start(now + period * bot.index / bots, now);
        }
        shards.forEach(BotShard::start);
        return new BotSwarm(List.copyOf(joined), List.copyOf(shards), receiving, now);
    }

    private static List<Bot> joinAll(InetSocketAddress zone, int count, BotConfig config)
            throws IOException {
        List<Bot> joined = new ArrayList<>(Collections.nCopies(count, null));
        // The first join alone: an unreachable zone then fails fast with one clear error.
        joined.set(0, joinBot(zone, 0, config));
        IOException failure = null;
        if (count > 1) {
            try (ExecutorService pool =
                    Executors.newFixedThreadPool(
                            Math.min(JOIN_PARALLELISM, count - 1),
                            Thread.ofVirtual().name("bot-join-", 0).factory())) {
                List<Future<Bot>> futures = new ArrayList<>(count);
                for (int i = 1; i < count; i++) {
                    int index = i;
                    futures.add(pool.submit(() -> joinBot(zone, index, config)));
                }
                for (int i = 1; i < count; i++) {
                    try {
                        joined.set(i, futures.get(i - 1).get());
                    } catch (ExecutionException e) {
                        if (failure == null) {
                            failure =
                                    e.getCause() instanceof IOException io
                                            ? io
                                            : new IOException(e.getCause());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        if (failure == null) {
                            failure = new InterruptedIOException("interrupted while joining bots");
                        }
                    }
                }
            }
        }
        if (failure != null) {
            joined.stream().filter(Objects::nonNull).forEach(Bot::closeChannels);
            throw failure;
        }
        return joined;
    }

    private static Bot joinBot(InetSocketAddress zone, int index, BotConfig config)
            throws IOException {
        String name = config.namePrefix() + "-" + index;
        ZoneJoin.Joined joined = ZoneJoin.join(zone, name, config.connectTimeout());
        DatagramChannel udp = null;
        try {
            udp = DatagramChannel.open();
            udp.configureBlocking(false);
            udp.bind(null);
            InetSocketAddress target =
                    new InetSocketAddress(zone.getAddress(), joined.welcome().udpPort());
            return new Bot(index, name, joined, udp, target, config);
        } catch (IOException | RuntimeException e) {
            joined.control().close();
            if (udp != null) {
                udp.close();
            }
            throw e;
        }
    }

    public int size() {
        return bots.size();
    }

    /** Bots that have received at least one state update. */
    public int receivingCount() {
        return (int) (bots.size() - receiving.getCount());
    }

    /** Bots still in session (not disconnected, not left). */
    public int connectedCount() {
        return (int) bots.stream().filter(b -> b.status() == Bot.Status.ACTIVE).count();
    }

    /**
     * The newest tick every bot has had an update of (the lowest of the bots' newest ticks; 0 until
     * each has one). Cheap, unlike {@link #total()}: for waiting until the swarm caught up.
     */
    public long newestTickOfEveryBot() {
        long min = Long.MAX_VALUE;
        for (Bot bot : bots) {
            min = Math.min(min, bot.metrics.highestTick());
        }
        return bots.isEmpty() ? 0 : min;
    }

    /** Waits until every bot has received at least one update; false on timeout. */
    public boolean awaitAllReceiving(Duration timeout) throws InterruptedException {
        return receiving.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stats accumulated since the previous cut (or start); a new window starts now. */
    public synchronized SwarmStats cutWindow() {
        return cutWindow(null);
    }

    /**
     * As {@link #cutWindow()}, also adding the window's update lateness samples to {@code pool}
     * (when not null): windows of one kind pooled, e.g. every migration window of a session.
     */
    public synchronized SwarmStats cutWindow(LatencyPool pool) {
        long now = System.nanoTime();
        double windowMs = (now - windowStart) / 1e6;
        windowStart = now;
        return snapshot(windowMs, true, pool);
    }

    /**
     * Starts the totals of {@link #total()} afresh, e.g. after a warm-up that should not count;
     * windows are not affected.
     */
    public synchronized void resetTotals() {
        for (Bot bot : bots) {
            bot.metrics.resetTotal();
        }
        startedAt = System.nanoTime();
    }

    /** Stats accumulated since start (or since {@link #resetTotals()}). */
    public synchronized SwarmStats total() {
        return snapshot((System.nanoTime() - startedAt) / 1e6, false, null);
    }

    private SwarmStats snapshot(double windowMs, boolean cut, LatencyPool pool) {
        List<BotStats> perBot = new ArrayList<>(bots.size());
        Histogram rtt = LatencySummary.newHistogram();
        Histogram gaps = LatencySummary.newHistogram();
        Histogram lateness = LatencySummary.newHistogram();
        for (Bot bot : bots) {
            MetricsWindow w = cut ? bot.metrics.cutWindow() : bot.metrics.total();
            perBot.add(w.toStats(bot.index, bot.name, bot.clientId));
            rtt.add(w.rtt);
            gaps.add(w.updateGaps);
            lateness.add(w.updateLateness);
        }
        if (pool != null) {
            pool.add(lateness);
        }
        return new SwarmStats(
                windowMs,
                AggregateStats.of(
                        perBot,
                        LatencySummary.of(rtt),
                        LatencySummary.of(gaps),
                        LatencySummary.of(lateness)),
                perBot);
    }

    /**
     * Leaves cleanly (LEAVE, wait briefly for BYE) and releases every socket and thread.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shards.forEach(BotShard::requestClose);
        try {
            for (BotShard shard : shards) {
                shard.awaitClosed(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
