package io.livezone.agent.balance;

import io.livezone.core.ZoneState;
import io.livezone.core.cluster.HostLoad;
import io.livezone.policy.ZoneLoad;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each running zone's CPU as an exponential moving average of the agent's load samples. An idle TCG
 * guest's CPU over one second is a few scheduler ticks, so single samples jump by tens of percent
 * of their value; deciding on them would make a host look over- or underloaded at random. A zone's
 * first sample has no CPU yet (the sampler needs two readings of the process's CPU time), so its
 * second one replaces it rather than being averaged with it; a zone no longer sampled (moved away,
 * stopped) is dropped.
 */
final class ZoneCpuAverages {
    private final double weight;
    private Map<String, Double> averages = new TreeMap<>();
    private Map<String, Integer> samples = new TreeMap<>();
    private HostLoad last;

    /**
     * @param weight share of a new sample in the average, in (0, 1]
     */
    ZoneCpuAverages(double weight) {
        if (!(weight > 0 && weight <= 1)) {
            throw new IllegalArgumentException("weight must be in (0, 1], got " + weight);
        }
        this.weight = weight;
    }

    /** Folds in {@code sample} unless it is the one already folded in. */
    void update(HostLoad sample) {
        if (sample == null || sample == last) {
            return;
        }
        last = sample;
        Map<String, Double> next = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (io.livezone.core.cluster.ZoneLoad z : sample.zones()) {
            if (z.state() != ZoneState.RUNNING || !Double.isFinite(z.cpuPercent())) {
                continue;
            }
            double cpu = Math.max(0, z.cpuPercent());
            int seen = samples.getOrDefault(z.zone(), 0);
            Double previous = averages.get(z.zone());
            next.put(
                    z.zone(),
                    previous == null || seen < 2 ? cpu : previous + weight * (cpu - previous));
            counts.put(z.zone(), seen + 1);
        }
        averages = next;
        samples = counts;
    }

    List<ZoneLoad> zones() {
        List<ZoneLoad> out = new ArrayList<>(averages.size());
        averages.forEach((zone, cpu) -> out.add(new ZoneLoad(zone, cpu)));
        return out;
    }

    boolean contains(String zone) {
        return averages.containsKey(zone);
    }

    /** The host's load: its zones' CPU together. */
    double total() {
        double sum = 0;
        for (double cpu : averages.values()) {
            sum += cpu;
        }
        return sum;
    }

    Map<String, Double> asMap() {
        return Collections.unmodifiableMap(averages);
    }
}
