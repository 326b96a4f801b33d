package io.livezone.planner;

import java.util.Arrays;
import java.util.Objects;

/**
 * A makespan no schedule can beat, and the resource that imposes it. Every byte of a migration
 * crosses its source's outbound NIC, its destination's inbound NIC and, across sites, one link
 * direction; none of them carries more than its capacity.
 *
 * @param bottleneck what imposes the bound, e.g. "host s3 inbound"
 */
public record LowerBound(double seconds, String bottleneck) {

    /**
     * The plain bound: the largest of bytes out / NIC and bytes in / NIC over hosts, and bytes
     * crossing / bandwidth over link directions (links are full duplex, like NICs), counting each
     * move's memory and disk once at nominal bandwidth.
     */
    public static LowerBound of(PlanInput input) {
        PlanIndex plan = PlanIndex.of(input);
        double[] bytes = new double[plan.resources];
        for (int m = 0; m < plan.moves; m++) {
            for (int k = 3 * m; k < 3 * m + 3; k++) {
                int r = plan.moveResources[k];
                if (r >= 0) {
                    bytes[r] += plan.memory[m] + plan.disk[m];
                }
            }
        }
        LowerBound best = new LowerBound(0, "nothing to move");
        for (int r = 0; r < plan.resources; r++) {
            best = max(best, bytes[r] / plan.capacity[r], plan.resourceNames[r]);
        }
        return best;
    }

    /**
     * A tighter bound for the world {@code model} describes (and {@link PlanSimulator} simulates):
     * capacities at the model's efficiency and the caps; no byte before the first setup through a
     * resource is over; each migration also resends what its zone dirties in its first rounds (see
     * {@link #guaranteedBytes}), and takes at least as long as it would alone.
     */
    public static LowerBound of(PlanInput input, MigrationTimeModel model) {
        Objects.requireNonNull(model, "model is null");
        PlanIndex plan = PlanIndex.of(input);
        Caps caps = input.caps();
        double efficiency = model.efficiency();
        double[] bytes = new double[plan.resources];
        double[] firstByte = new double[plan.resources];
        Arrays.fill(firstByte, Double.POSITIVE_INFINITY);
        double totalBytes = 0;
        double earliest = Double.POSITIVE_INFINITY;
        LowerBound best = new LowerBound(0, "nothing to move");
        for (int m = 0; m < plan.moves; m++) {
            double rate = plan.aloneRate(m, efficiency);
            double moveBytes = guaranteedBytes(plan, m, rate, model);
            double setup = model.setupTime(plan.rttSeconds[m]);
            totalBytes += moveBytes;
            earliest = Math.min(earliest, setup);
            for (int k = 3 * m; k < 3 * m + 3; k++) {
                int r = plan.moveResources[k];
                if (r >= 0) {
                    bytes[r] += moveBytes;
                    firstByte[r] = Math.min(firstByte[r], setup);
                }
            }
            MigrationEstimate alone =
                    model.atRate(
                            rate, plan.memory[m], plan.disk[m], plan.dirty[m], plan.rttSeconds[m]);
            best = max(best, alone.totalSeconds(), "zone " + plan.move(m).zone() + " alone");
        }
        double perMove = caps.maxBytesPerSecPerMove();
        for (int r = 0; r < plan.resources; r++) {
            if (bytes[r] == 0) {
                continue;
            }
            double capacity = plan.capacity[r] * efficiency;
            int count = r < plan.hosts ? caps.perHostOutbound() : caps.perHostInbound();
            if (perMove > 0 && count > 0 && r < 2 * plan.hosts) {
                capacity = Math.min(capacity, count * perMove);
            }
            best = max(best, firstByte[r] + bytes[r] / capacity, plan.resourceNames[r]);
        }
        if (perMove > 0 && caps.perCluster() > 0 && plan.moves > 0) {
            best = max(best, earliest + totalBytes / (caps.perCluster() * perMove), "cluster cap");
        }
        return best;
    }

    /**
     * Bytes move m sends however slowly it goes: memory and disk, plus what the zone dirties during
     * the first memory round and, if even at full speed that does not fit the downtime limit,
     * during the second. Slower rounds last longer and dirty more, and auto-converge cannot
     * throttle before the end of the second round (QEMU needs two dirty rounds), so both resends
     * are certain.
     */
    private static double guaranteedBytes(
            PlanIndex plan, int m, double rate, MigrationTimeModel model) {
        double memory = plan.memory[m];
        double firstResend = Math.min(memory, plan.dirty[m] * memory / rate);
        double bytes = memory + plan.disk[m] + firstResend;
        if (firstResend > rate * model.downtimeLimitSeconds()) {
            bytes += Math.min(memory, plan.dirty[m] * firstResend / rate);
        }
        return bytes;
    }

    private static LowerBound max(LowerBound best, double seconds, String bottleneck) {
        return seconds > best.seconds ? new LowerBound(seconds, bottleneck) : best;
    }
}
