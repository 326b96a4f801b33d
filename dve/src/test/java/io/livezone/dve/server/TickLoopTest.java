package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** Drives the schedule with a fake clock: no real sleeping. */
class TickLoopTest {
    private static final long PERIOD = 50_000_000L; // 20 Hz

    private final FakeClock clock = new FakeClock(1_000_000_000L);
    private final List<Long> ticks = new ArrayList<>();
    private final TickLoop loop = new TickLoop(PERIOD, 10, clock, ticks::add);

    @Test
    void runsOneTickPerPeriodOnTime() {
        assertThat(loop.runDueTicks()).isEqualTo(PERIOD);
        for (int i = 0; i < 5; i++) {
            clock.advance(PERIOD);
            assertThat(loop.runDueTicks()).isEqualTo(PERIOD);
        }
        assertThat(ticks).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(loop.catchUpTicks()).isZero();
    }

    @Test
    void waitsWhenWokenEarly() {
        loop.runDueTicks();
        clock.advance(PERIOD / 5);
        assertThat(loop.runDueTicks()).isEqualTo(PERIOD - PERIOD / 5);
        assertThat(ticks).containsExactly(1L);
    }

    @Test
    void catchesUpAShortDelayKeepingTheOriginalCadence() {
        loop.runDueTicks();
        clock.advance(3 * PERIOD + PERIOD / 2); // woke up 3.5 periods later
        long wait = loop.runDueTicks();
        assertThat(ticks).containsExactly(1L, 2L, 3L, 4L);
        assertThat(wait).isEqualTo(PERIOD / 2); // still aligned on the original grid
        assertThat(loop.catchUpTicks()).isEqualTo(2);
        assertThat(loop.reanchors()).isZero();
    }

    @Test
    void boundsCatchUpAfterALongPauseAndReanchors() {
        loop.runDueTicks();
        clock.advance(10_000_000_000L); // VM paused for 10 s (200 periods)
        assertThat(loop.runDueTicks()).isEqualTo(PERIOD);
        assertThat(ticks).hasSize(1 + 10);
        assertThat(loop.reanchors()).isEqualTo(1);

        clock.advance(PERIOD); // back to normal: one tick per period, no lingering backlog
        loop.runDueTicks();
        clock.advance(PERIOD);
        loop.runDueTicks();
        assertThat(ticks).hasSize(13);
        assertSequential();
    }

    @Test
    void reanchorsFromTheTimeAfterSlowTicks() {
        TickLoop slow =
                new TickLoop(
                        PERIOD,
                        10,
                        clock,
                        t -> {
                            ticks.add(t);
                            clock.advance(PERIOD / 10); // each tick costs 5 ms
                        });
        slow.runDueTicks();
        clock.advance(60 * PERIOD);
        long wait = slow.runDueTicks();
        assertThat(ticks).hasSize(11);
        assertThat(wait).isEqualTo(PERIOD); // measured from after the burst, not from before it
    }

    @Test
    void survivesAClockJumpingBackwards() {
        loop.runDueTicks();
        clock.advance(-3_600_000_000_000L); // an hour back
        long wait = loop.runDueTicks();
        assertThat(wait).isLessThanOrEqualTo(PERIOD);
        clock.advance(wait);
        loop.runDueTicks();
        assertThat(ticks).containsExactly(1L, 2L);
        assertThat(loop.reanchors()).isEqualTo(1);
    }

    @Test
    void isRobustToNanoTimeWrapAround() {
        clock.set(Long.MAX_VALUE - PERIOD / 2);
        loop.runDueTicks();
        for (int i = 0; i < 4; i++) {
            clock.advance(PERIOD); // crosses Long.MAX_VALUE into negative values
            assertThat(loop.runDueTicks()).isEqualTo(PERIOD);
        }
        assertThat(ticks).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void tickNumbersStaySequentialThroughRandomJitterAndPauses() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2_000; i++) {
            int before = ticks.size();
            loop.runDueTicks();
            assertThat(ticks.size() - before).isBetween(0, 10);
            long step =
                    random.nextInt(20) == 0
                            ? random.nextLong(5_000_000_000L)
                            : random.nextLong(2 * PERIOD);
            clock.advance(random.nextInt(50) == 0 ? -step : step);
        }
        assertSequential();
        assertThat(loop.lastTick()).isEqualTo(ticks.size());
    }

    private void assertSequential() {
        for (int i = 0; i < ticks.size(); i++) {
            assertThat(ticks.get(i)).isEqualTo(i + 1L);
        }
    }

    static final class FakeClock implements NanoClock {
        private long now;

        FakeClock(long start) {
            now = start;
        }

        void advance(long nanos) {
            now += nanos;
        }

        void set(long nanos) {
            now = nanos;
        }

        @Override
        public long nanoTime() {
            return now;
        }
    }
}
