package io.livezone.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The link model on its own: delay, jitter, rate and buffer, without sockets. */
class EmulatedLinkTest {
    private static final long MS = 1_000_000L;

    @Test
    void noChunkArrivesBeforeItsSendTimePlusLatency() throws Exception {
        EmulatedLink link =
                new EmulatedLink(
                        "a->b", LinkProfile.delay(Duration.ofMillis(30), Duration.ofMillis(10)), 7);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 200; i++) {
            long sent = System.nanoTime();
            long arrival = link.transmit(1000, previous);
            assertThat(arrival - sent).isGreaterThanOrEqualTo(30 * MS);
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
        List<Long> first = delays(new EmulatedLink("x", jittery, 99));
        List<Long> second = delays(new EmulatedLink("x", jittery, 99));
        List<Long> other = delays(new EmulatedLink("x", jittery, 100));
        // Jitter values are ms-scale and the calls are µs apart, so the delays match closely.
        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i)).isCloseTo(first.get(i), Offset.offset(2 * MS));
        }
        assertThat(other).isNotEqualTo(first);
    }

    private static List<Long> delays(EmulatedLink link) throws InterruptedException {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long sent = System.nanoTime();
            out.add(link.transmit(10, Long.MIN_VALUE) - sent);
        }
        return out;
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
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> sender =
                    pool.submit(
                            () -> {
                                while (true) {
                                    link.transmit(64 * 1024, Long.MIN_VALUE);
                                }
                            });
            await().atMost(Duration.ofSeconds(10)).until(() -> link.bytesCarried() == limit);
            Thread.sleep(200);
            assertThat(link.bytesCarried()).isEqualTo(limit);
            assertThat(link.inFlightBytes()).isEqualTo(limit);
            assertThat(sender.isDone()).isFalse();
            sender.cancel(true);
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
