package io.livezone.gateway.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

class LatencyMonitorTest {
    private final AtomicLong clock = new AtomicLong();
    private final LatencyMonitor monitor =
            new LatencyMonitor(
                    new QosPolicy(Duration.ofMillis(80), 3, Duration.ofSeconds(30)),
                    new SimpleMeterRegistry(),
                    clock::get);

    @Test
    void qosIsTheShareOfClientsUnderTheThreshold() {
        monitor.record("z1", "a", Duration.ofMillis(20));
        monitor.record("z1", "b", Duration.ofMillis(79));
        monitor.record("z1", "c", Duration.ofMillis(80)); // not under
        monitor.record("z2", "d", Duration.ofMillis(200));
        assertThat(monitor.qos("z1")).isEqualTo(new Qos(3, 2));
        assertThat(monitor.qos("z2")).isEqualTo(new Qos(1, 0));
        assertThat(monitor.overall()).isEqualTo(new Qos(4, 2));
        assertThat(monitor.overall().ratio()).isEqualTo(0.5);
        assertThat(monitor.qos("nobody").ratio()).isNaN();
    }

    @Test
    void aClientsRttIsTheMedianOfItsRecentSamplesSoOneSpikeDoesNotCount() {
        monitor.record("z1", "a", Duration.ofMillis(20));
        monitor.record("z1", "a", Duration.ofMillis(900)); // e.g. across a switchover
        monitor.record("z1", "a", Duration.ofMillis(25));
        assertThat(monitor.qos("z1")).isEqualTo(new Qos(1, 1));
        // The window holds 3 samples: two slow ones now dominate.
        monitor.record("z1", "a", Duration.ofMillis(300));
        monitor.record("z1", "a", Duration.ofMillis(300));
        assertThat(monitor.qos("z1")).isEqualTo(new Qos(1, 0));
    }

    @Test
    void staleAndForgottenClientsNoLongerCount() {
        monitor.record("z1", "a", Duration.ofMillis(20));
        clock.addAndGet(Duration.ofSeconds(20).toNanos());
        monitor.record("z1", "b", Duration.ofMillis(20));
        monitor.record("z1", "c", Duration.ofMillis(20));
        assertThat(monitor.qos("z1").clients()).isEqualTo(3);
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(monitor.qos("z1").clients()).isEqualTo(2);
        monitor.forget("z1", "b");
        assertThat(monitor.qos("z1").clients()).isEqualTo(1);
    }

    @Test
    void rejectsNegativeRtts() {
        assertThatThrownBy(() -> monitor.record("z1", "a", Duration.ofMillis(-1)))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new QosPolicy(Duration.ZERO, 3, Duration.ofSeconds(1)))
                .isInstanceOf(InvalidInputException.class);
    }
}
