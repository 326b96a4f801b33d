package io.livezone.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.time.Duration;

class PostcopyStallWatchTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aStreamThatKeepsSendingNeverStalls() {
        PostcopyStallWatch watch = new PostcopyStallWatch(Duration.ofSeconds(3));
        for (int i = 0; i < 100; i++) {
            assertThat(watch.stalled(i * S, i * 1000L)).isFalse();
        }
    }

    @Test
    void noGrowthForTheWholeTimeoutIsAStall() {
        PostcopyStallWatch watch = new PostcopyStallWatch(Duration.ofSeconds(3));
        assertThat(watch.stalled(0, 500)).isFalse();
        assertThat(watch.stalled(1 * S, 900)).isFalse(); // last growth at 1 s
        assertThat(watch.stalled(3 * S, 900)).isFalse();
        assertThat(watch.stalled(4 * S - 1, 900)).isFalse();
        assertThat(watch.stalled(4 * S, 900)).isTrue();
        assertThat(watch.stalled(5 * S, 900)).isTrue();
    }

    @Test
    void growthStartsTheTimeoutAgain() {
        PostcopyStallWatch watch = new PostcopyStallWatch(Duration.ofSeconds(3));
        watch.stalled(0, 100);
        watch.stalled(2 * S, 100);
        assertThat(watch.stalled(2500_000_000L, 101)).isFalse();
        assertThat(watch.stalled(5 * S, 101)).isFalse();
        assertThat(watch.stalled(5500_000_000L, 101)).isTrue();
    }

    @Test
    void afterAResetTheFirstSampleStartsANewPeriod() {
        PostcopyStallWatch watch = new PostcopyStallWatch(Duration.ofSeconds(3));
        watch.stalled(0, 100);
        assertThat(watch.stalled(10 * S, 100)).isTrue();
        watch.reset();
        // a recovery: the counter goes on from where it was, the clock starts again
        assertThat(watch.stalled(11 * S, 100)).isFalse();
        assertThat(watch.stalled(13 * S, 100)).isFalse();
        assertThat(watch.stalled(14 * S, 100)).isTrue();
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThatThrownBy(() -> new PostcopyStallWatch(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
