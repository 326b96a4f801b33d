package io.livezone.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The link model on its own: delay, jitter, rate and buffer, without sockets. */
class EmulatedLinkTest {
    private static final long MS = 1_000_000L;

    @Test
    void everyChunkArrivesAfterTheLatencyAndWithinLatencyPlusJitter() throws Exception {
        EmulatedLink link =
                new EmulatedLink(
                        "a->b", LinkProfile.delay(Duration.ofMillis(30), Duration.ofMillis(10)), 7);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 200; i++) {
            long before = System.nanoTime();
            long arrival = link.transmit(1000, previous);
            long after = System.nanoTime();
            assertThat(arrival - before).isGreaterThanOrEqualTo(30 * MS);
            // Model time, not a measurement: waiting behind the previous chunk never pushes an
            // arrival past latency + jitter after the send, however slow the machine.
            assertThat(arrival - after).isLessThanOrEqualTo(40 * MS);
            previous = arrival;
        }
    }

    @Test
    void jitterVariesTheDelayButArrivalsOfOneStreamNeverGoBackwards() throws Exception {
        LinkProfile jittery = LinkProfile.delay(Duration.ofMillis(5), Duration.ofMillis(20));
        EmulatedLink link = new EmulatedLink("a->b", jittery, 42);
        long previous = Long.MIN_VALUE;
        long minDelay = Long.MAX_VALUE;
        long maxDelay = 0;
        for (int i = 0; i < 500; i++) {
            long sent = System.nanoTime();
            long arrival = link.transmit(100, previous);
            assertThat(arrival).isGreaterThanOrEqualTo(previous);
            minDelay = Math.min(minDelay, arrival - sent);
            maxDelay = Math.max(maxDelay, arrival - sent);
            previous = arrival;
        }
        assertThat(minDelay).isGreaterThanOrEqualTo(5 * MS);
        assertThat(maxDelay - minDelay).as("spread of delays").isGreaterThan(5 * MS);
    }

    @Test
    void theSameSeedGivesTheSameJitter() throws Exception {
        LinkProfile jittery = LinkProfile.delay(Duration.ZERO, Duration.ofMillis(50));
        JitterDraws first = JitterDraws.of(new EmulatedLink("x", jittery, 99), 20);
        JitterDraws second = JitterDraws.of(new EmulatedLink("x", jittery, 99), 20);
        JitterDraws other = JitterDraws.of(new EmulatedLink("x", jittery, 100), 20);
        assertThat(first.couldEqual(second)).as("same seed, same jitter").isTrue();
        assertThat(first.couldEqual(other)).as("another seed, other jitter").isFalse();
    }

    @Test
    void twoSendersTogetherStayUnderTheRate() throws Exception {
        long rate = 2_000_000; // bytes/s
        EmulatedLink link = new EmulatedLink("a->b", LinkProfile.rate(rate), 1);
        Duration run = Duration.ofMillis(800);
        long start = System.nanoTime();
        long end = start + run.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> senders = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                senders.add(
                        pool.submit(
                                () -> {
                                    long arrivedInTime = 0;
                                    int chunk = link.maxChunkBytes();
                                    while (System.nanoTime() < end) {
                                        long arrival = link.transmit(chunk, Long.MIN_VALUE);
                                        if (arrival <= end) {
                                            arrivedInTime += chunk;
                                        }
                                    }
                                    return arrivedInTime;
                                }));
            }
            long a = senders.get(0).get(10, TimeUnit.SECONDS);
            long b = senders.get(1).get(10, TimeUnit.SECONDS);
            double seconds = run.toNanos() / 1e9;
            assertThat((a + b) / seconds).isLessThanOrEqualTo(rate * 1.05);
            assertThat(a).isPositive();
            assertThat(b).isPositive();
        }
    }

    @Test
    void aSenderWaitsWhileTheBufferIsFull() throws Exception {
        long limit = 256 * 1024;
        LinkProfile farAway = LinkProfile.delay(Duration.ofSeconds(30), Duration.ZERO);
        EmulatedLink link = new EmulatedLink("a->b", farAway, 1, limit);
        AtomicReference<Thread> senderThread = new AtomicReference<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> sender =
                    pool.submit(
                            () -> {
                                senderThread.set(Thread.currentThread());
                                while (true) {
                                    link.transmit(64 * 1024, Long.MIN_VALUE);
                                }
                            });
            try {
                // Without a rate limit the sender only ever waits for buffer space (nothing arrives
                // for 30 s), so a sender parked in a timed wait is one the full buffer stopped.
                await().atMost(Duration.ofSeconds(10))
                        .until(
                                () ->
                                        senderThread.get() != null
                                                && senderThread.get().getState()
                                                        == Thread.State.TIMED_WAITING);
                assertThat(link.bytesCarried()).isEqualTo(limit);
                assertThat(link.inFlightBytes()).isEqualTo(limit);
                assertThat(sender.isDone()).isFalse();
            } finally {
                sender.cancel(true); // or closing the pool waits for it forever
            }
        }
    }

    @Test
    void aWaitingSenderResumesAsChunksArrive() throws Exception {
        long limit = 256 * 1024;
        LinkProfile nearby = LinkProfile.delay(Duration.ofMillis(20), Duration.ZERO);
        EmulatedLink link = new EmulatedLink("a->b", nearby, 1, limit);
        for (int i = 0; i < 20; i++) {
            link.transmit(64 * 1024, Long.MIN_VALUE);
        }
        assertThat(link.bytesCarried()).isEqualTo(20 * 64 * 1024);
        assertThat(link.peakInFlightBytes()).isEqualTo(limit);
        await().atMost(Duration.ofSeconds(10)).until(() -> link.inFlightBytes() == 0);
    }

    @Test
    void sizesTheDefaultBufferAsBandwidthTimesDelayPlusOneMiB() {
        LinkProfile wan = new LinkProfile(Duration.ofMillis(40), Duration.ofMillis(10), 1_250_000);
        assertThat(EmulatedLink.defaultMaxInFlightBytes(wan)).isEqualTo(62_500 + (1L << 20));
        assertThat(EmulatedLink.defaultMaxInFlightBytes(LinkProfile.NONE)).isEqualTo(1L << 20);
        LinkProfile huge = new LinkProfile(Duration.ofSeconds(50), Duration.ZERO, 1L << 30);
        assertThat(EmulatedLink.defaultMaxInFlightBytes(huge)).isEqualTo(256L << 20);
    }

    @Test
    void rejectsATinyBuffer() {
        assertThatThrownBy(() -> new EmulatedLink("a->b", LinkProfile.NONE, 1, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a->b")
                .hasMessageContaining("in-flight limit");
    }
}
