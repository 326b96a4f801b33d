package io.livezone.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

class EventLoopTest {
    @Test
    void eventsRunInTimeOrderAndSimultaneousOnesInSchedulingOrder() {
        EventLoop loop = new EventLoop();
        List<String> log = new ArrayList<>();
        loop.at(20, () -> log.add("b@" + loop.now()));
        loop.at(10, () -> log.add("a@" + loop.now()));
        loop.at(20, () -> log.add("c@" + loop.now()));
        loop.at(10, () -> loop.after(5, () -> log.add("d@" + loop.now())));
        loop.runUntil(100);
        assertThat(log).containsExactly("a@10", "d@15", "b@20", "c@20");
        assertThat(loop.now()).isEqualTo(100);
        assertThat(loop.processed()).isEqualTo(5);
    }

    @Test
    void periodicEventsRepeatUntilTheEndAndLaterEventsWait() {
        EventLoop loop = new EventLoop();
        List<Long> ticks = new ArrayList<>();
        loop.every(0, 30, () -> ticks.add(loop.now()));
        loop.runUntil(100);
        assertThat(ticks).containsExactly(0L, 30L, 60L, 90L);
        loop.runUntil(120);
        assertThat(ticks).containsExactly(0L, 30L, 60L, 90L, 120L);
    }

    @Test
    void thePastCannotBeScheduled() {
        EventLoop loop = new EventLoop();
        loop.runUntil(50);
        assertThatThrownBy(() -> loop.at(49, () -> {}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("cannot schedule an event at 49 ms: the clock is at 50 ms");
        assertThatThrownBy(() -> loop.every(60, 0, () -> {}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("period must be > 0 ms, got 0");
    }
}
