package io.livezone.agent.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.core.ZoneState;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.ZoneLoad;

import org.junit.jupiter.api.Test;

import java.util.List;

class ZoneCpuAveragesTest {
    @Test
    void secondSampleReplacesTheFirstThenSamplesAreAveraged() {
        ZoneCpuAverages a = new ZoneCpuAverages(0.5);
        a.update(load(zone("z1", 0)));
        assertThat(a.asMap()).containsEntry("z1", 0.0);
        a.update(load(zone("z1", 4)));
        assertThat(a.asMap()).containsEntry("z1", 4.0);
        a.update(load(zone("z1", 8)));
        assertThat(a.asMap()).containsEntry("z1", 6.0);
        assertThat(a.total()).isEqualTo(6.0);
    }

    @Test
    void theSameSampleCountsOnceAndGoneOrNotRunningZonesDrop() {
        ZoneCpuAverages a = new ZoneCpuAverages(0.5);
        HostLoad first = load(zone("z1", 2), zone("z2", 3));
        a.update(first);
        a.update(first);
        a.update(load(zone("z1", 4), new ZoneLoad("z2", ZoneState.INCOMING, 9, 0, 0)));
        a.update(load(zone("z1", 8)));
        assertThat(a.asMap()).containsOnlyKeys("z1").containsEntry("z1", 6.0);
        assertThat(a.contains("z2")).isFalse();
        assertThat(a.zones()).containsExactly(new io.livezone.policy.ZoneLoad("z1", 6.0));
    }

    private static ZoneLoad zone(String name, double cpu) {
        return new ZoneLoad(name, ZoneState.RUNNING, cpu, 0, 0);
    }

    private static HostLoad load(ZoneLoad... zones) {
        double sum = 0;
        for (ZoneLoad z : zones) {
            sum += z.cpuPercent();
        }
        return new HostLoad(sum, 0, 0, 0, 0, List.of(zones));
    }
}
