package io.livezone.dve.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.dve.bot.UpdateTracker.Kind;
import io.livezone.dve.bot.UpdateTracker.Observation;

import org.junit.jupiter.api.Test;

/** Feeds synthetic (tick, digest, prevDigest) triples; digest(t) = 1000 + t on the "true" chain. */
class UpdateTrackerTest {
    private final UpdateTracker tracker = new UpdateTracker();

    private Observation honest(long tick) {
        return tracker.observe(tick, 1000 + tick, 1000 + tick - 1);
    }

    @Test
    void consecutiveUpdatesWithMatchingDigestsAreInSequence() {
        assertThat(honest(50).kind()).isEqualTo(Kind.FIRST); // joining mid-stream is fine
        for (long t = 51; t < 300; t++) {
            assertThat(honest(t)).isEqualTo(new Observation(Kind.IN_SEQUENCE, 0, false));
        }
        assertThat(tracker.highestTick()).isEqualTo(299);
    }

    @Test
    void gapsAreLossesNotChainBreaks() {
        honest(1);
        assertThat(honest(5)).isEqualTo(new Observation(Kind.AFTER_GAP, 3, false));
        assertThat(honest(6).kind()).isEqualTo(Kind.IN_SEQUENCE);
    }

    @Test
    void prevDigestMismatchIsAChainBreak() {
        honest(1);
        honest(2);
        Observation o = tracker.observe(3, 1003, 0xBAD);
        assertThat(o).isEqualTo(new Observation(Kind.IN_SEQUENCE, 0, true));
        // The chain continues from what was received.
        assertThat(tracker.observe(4, 1004, 1003).chainBreak()).isFalse();
    }

    @Test
    void duplicatesAreRecognisedAndForkedDuplicatesBreakTheChain() {
        honest(1);
        honest(2);
        honest(3);
        assertThat(honest(3)).isEqualTo(new Observation(Kind.DUPLICATE, 0, false));
        assertThat(honest(2).kind()).isEqualTo(Kind.DUPLICATE);
        Observation fork = tracker.observe(3, 9999, 1002); // same tick, different world
        assertThat(fork).isEqualTo(new Observation(Kind.DUPLICATE, 0, true));
    }

    @Test
    void lateAndRewoundUpdatesAreOutOfOrder() {
        honest(1);
        honest(4); // 2 and 3 missing
        assertThat(honest(2).kind()).isEqualTo(Kind.OUT_OF_ORDER); // arrives late
        assertThat(honest(2).kind()).isEqualTo(Kind.DUPLICATE); // and then again
        for (long t = 5; t < 1000; t++) {
            honest(t);
        }
        assertThat(honest(10).kind()).isEqualTo(Kind.OUT_OF_ORDER); // rewind far back in time
        assertThat(honest(1000).kind()).isEqualTo(Kind.IN_SEQUENCE);
    }
}
