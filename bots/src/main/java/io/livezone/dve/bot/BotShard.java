package io.livezone.dve.bot;

import io.livezone.dve.protocol.ClientPacket;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One I/O thread serving many bots with a single Selector: sends each bot's inputs on its own
 * staggered schedule and timestamps every received datagram as it is read. A handful of these serve
 * thousands of bots, where a thread or two per bot would wreck timing on a small host.
 */
final class BotShard {
    private static final System.Logger LOG = System.getLogger(BotShard.class.getName());

    /** How long a clean leave may wait for BYE before sockets are just closed. */
    private static final long LEAVE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Datagrams read per socket per round, so one chatty socket cannot starve the others. */
    private static final int READS_PER_ROUND = 16;

    private final List<Bot> bots;
    private final Selector selector;
    private final long periodNanos;
    private final CountDownLatch receiving;
    private final PriorityQueue<Bot> schedule =
            new PriorityQueue<>((a, b) -> Long.signum(a.nextSendAt - b.nextSendAt)); // wrap-safe
    private final ByteBuffer rx = ByteBuffer.allocateDirect(2048);
    private final ByteBuffer tx = ByteBuffer.allocateDirect(ClientPacket.SIZE);
    private final Thread thread;
    private volatile boolean closing;

    BotShard(String name, List<Bot> bots, long periodNanos, CountDownLatch receiving)
            throws IOException {
        this.bots = List.copyOf(bots);
        this.periodNanos = periodNanos;
        this.receiving = receiving;
        this.selector = Selector.open();
        try {
            for (Bot bot : bots) {
                bot.udp.register(selector, SelectionKey.OP_READ, bot);
                bot.control.register(selector, SelectionKey.OP_READ, bot);
            }
        } catch (IOException e) {
            selector.close();
            throw e;
        }
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
    }

    void start() {
        schedule.addAll(bots);
        thread.start();
    }

    void requestClose() {
        closing = true;
        selector.wakeup();
    }

    void awaitClosed(long timeoutMillis) throws InterruptedException {
        thread.join(timeoutMillis);
    }

    private void run() {
        try {
            loop();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "bot I/O thread failed; its bots stop", e);
            for (Bot bot : bots) {
                if (!bot.isDone()) {
                    bot.disconnect("bot I/O thread failed: " + e);
                }
            }
        } finally {
            for (Bot bot : bots) {
                bot.closeChannels();
            }
            try {
                selector.close();
            } catch (IOException e) {
                // shutting down anyway
            }
        }
    }

    private void loop() throws IOException {
        long leaveDeadline = 0;
        boolean leaving = false;
        while (true) {
            long now = System.nanoTime();
            if (closing && !leaving) {
                leaving = true;
                leaveDeadline = now + LEAVE_GRACE_NANOS;
                bots.forEach(Bot::leave);
            }
            if (leaving && (bots.stream().allMatch(Bot::isDone) || now - leaveDeadline > 0)) {
                return;
            }
            long waitNanos = leaving ? TimeUnit.MILLISECONDS.toNanos(10) : sendDueInputs(now);
            if (waitNanos <= 0) {
                selector.selectNow();
            } else {
                // select() has millisecond resolution: round up so we never spin before a deadline.
                selector.select(Math.max(1, (waitNanos + 999_999) / 1_000_000));
            }
            handleReadyKeys();
        }
    }

    /** Sends every input that is due; returns nanos until the next one (or a long nap if none). */
    private long sendDueInputs(long now) {
        while (!schedule.isEmpty() && schedule.peek().nextSendAt - now <= 0) {
            Bot bot = schedule.poll();
            bot.checkTimeout(now);
            if (bot.status() != Bot.Status.ACTIVE) {
                continue; // dropped from the schedule for good
            }
            bot.sendInput(now, tx);
            bot.nextSendAt += periodNanos;
            if (now - bot.nextSendAt > periodNanos) {
                bot.nextSendAt =
                        now + periodNanos; // we were stalled: resume the cadence, don't burst
            }
            schedule.add(bot);
        }
        return schedule.isEmpty()
                ? TimeUnit.MILLISECONDS.toNanos(100)
                : schedule.peek().nextSendAt - now;
    }

    private void handleReadyKeys() {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            if (!key.isValid()) {
                continue;
            }
            Bot bot = (Bot) key.attachment();
            if (key.channel() instanceof DatagramChannel udp) {
                drainDatagrams(bot, udp);
            } else {
                bot.onControlReadable();
            }
        }
    }

    private void drainDatagrams(Bot bot, DatagramChannel udp) {
        for (int n = 0; n < READS_PER_ROUND && !bot.isDone(); n++) {
            rx.clear();
            try {
                if (udp.receive(rx) == null) {
                    return;
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                bot.metrics
                        .sendError(); // e.g. ICMP error surfaced on receive: transient, keep going
                return;
            }
            long arrival = System.nanoTime();
            rx.flip();
            if (bot.onDatagram(rx, arrival)) {
                receiving.countDown();
            }
        }
    }
}
