package io.livezone.planner;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The bandwidth of every active migration flow, max-min fair over shared resources (NIC directions,
 * link directions) and each flow's own cap — the allocation TCP flows converge to, roughly.
 *
 * <p>Rates are recomputed by water-filling, but only over the flows a change can affect (see {@link
 * #rebalance}); a resource whose flows' own caps sum to no more than its capacity can never bind
 * anyone and is ignored. Recomputing everything on each of a 10,000-move plan's events cost
 * seconds, although a change moves a couple of rates; this keeps events local when schedules avoid
 * contention, which is the point of a good schedule.
 */
final class FlowNetwork {
    private static final int NONE = -1;

    private final double[] capacity;
    private final int[] flowResources;
    private final double[] flowCap;
    private final double[] rate;
    private final int[][] flowsOn;
    private final int[] flowsOnSize;
    private final int[] position;
    private final double[] capSum;
    private final boolean[] active;

    private final ListSchedule.IntStack touched = new ListSchedule.IntStack();
    private final ListSchedule.IntStack added = new ListSchedule.IntStack();
    private final boolean[] isTouched;
    private final int[] examinedStamp;
    private final int[] changedStamp;
    private final int[] measuredStamp;
    private final double[] load;
    private final double[] highest;
    private final int[] inComponentStamp;
    private final int[] flowStamp;
    private final int[] frozenStamp;
    private int epoch;
    private int round;
    private final double[] residual;
    private final int[] unfrozen;
    private final int[] version;
    private final double[] newRate;
    private final MinHeap heap = new MinHeap();
    private final ListSchedule.IntStack component = new ListSchedule.IntStack();
    private final ListSchedule.IntStack changedResources = new ListSchedule.IntStack();

    /**
     * @param capacity effective bytes/s per resource
     * @param flowResources three resources per flow, -1 when unused
     * @param flowCap each flow's own limit: the least capacity on its path and its per-move cap
     */
    FlowNetwork(double[] capacity, int[] flowResources, double[] flowCap) {
        this.capacity = capacity;
        this.flowResources = flowResources;
        this.flowCap = flowCap;
        int resources = capacity.length;
        int flows = flowCap.length;
        rate = new double[flows];
        flowsOn = new int[resources][];
        flowsOnSize = new int[resources];
        for (int r = 0; r < resources; r++) {
            flowsOn[r] = new int[4];
        }
        position = new int[3 * flows];
        capSum = new double[resources];
        active = new boolean[flows];
        isTouched = new boolean[resources];
        examinedStamp = new int[resources];
        changedStamp = new int[resources];
        measuredStamp = new int[resources];
        load = new double[resources];
        highest = new double[resources];
        inComponentStamp = new int[resources];
        flowStamp = new int[flows];
        frozenStamp = new int[flows];
        residual = new double[resources];
        unfrozen = new int[resources];
        version = new int[resources];
        newRate = new double[flows];
    }

    double rate(int flow) {
        return rate[flow];
    }

    void add(int flow) {
        if (active[flow]) {
            throw new IllegalStateException("flow " + flow + " is already active");
        }
        active[flow] = true;
        for (int k = 3 * flow; k < 3 * flow + 3; k++) {
            int r = flowResources[k];
            if (r == NONE) {
                continue;
            }
            if (flowsOnSize[r] == flowsOn[r].length) {
                flowsOn[r] = Arrays.copyOf(flowsOn[r], flowsOnSize[r] * 2);
            }
            position[k] = flowsOnSize[r];
            flowsOn[r][flowsOnSize[r]++] = flow;
            capSum[r] += flowCap[flow];
            touch(r);
        }
        added.push(flow);
    }

    void remove(int flow) {
        if (!active[flow]) {
            throw new IllegalStateException("flow " + flow + " is not active");
        }
        active[flow] = false;
        for (int k = 3 * flow; k < 3 * flow + 3; k++) {
            int r = flowResources[k];
            if (r == NONE) {
                continue;
            }
            int at = position[k];
            int last = flowsOn[r][--flowsOnSize[r]];
            flowsOn[r][at] = last;
            for (int j = 3 * last; j < 3 * last + 3; j++) {
                if (flowResources[j] == r) {
                    position[j] = at;
                }
            }
            capSum[r] = flowsOnSize[r] == 0 ? 0 : capSum[r] - flowCap[flow];
            touch(r);
        }
        rate[flow] = 0;
    }

    private void touch(int r) {
        if (!isTouched[r]) {
            isTouched[r] = true;
            touched.push(r);
        }
    }

    /**
     * Whether r could hold a flow below its own cap. If the flows' caps add up to no more than r's
     * capacity (one flow on its bottleneck NIC, say), r never binds anyone beyond their own caps.
     */
    private boolean canSaturate(int r) {
        return capSum[r] > capacity[r] * (1 + 1e-9);
    }

    /**
     * Recomputes the rates that the adds and removes since the last call may have changed; calls
     * {@code beforeChange} with each flow whose rate is about to change, while {@link #rate} still
     * returns the old one.
     *
     * <p>An allocation is max-min fair exactly when it is feasible and every flow has a bottleneck:
     * it is at its own cap, or on a saturated resource where no flow gets more. So: water-fill a
     * region (at first, the new flows) with the flows outside it held at their rates, then check
     * that property for the region's flows and for outside flows on every resource where something
     * changed; pull the flows that fail into the region and repeat. Flows elsewhere keep
     * bottlenecks nothing touched. A change thus costs what it disturbs, not the size of the
     * network.
     */
    void rebalance(IntConsumer beforeChange) {
        if (touched.size == 0) {
            return;
        }
        epoch++;
        component.clear();
        for (int i = 0; i < added.size; i++) {
            // A flow added and removed again since the last call is no flow at all.
            if (active[added.items[i]]) {
                include(added.items[i]);
            }
        }
        added.clear();
        while (true) {
            if (component.size > 0) {
                waterFill();
            }
            round++;
            int before = component.size;
            changedResources.clear();
            for (int i = 0; i < touched.size; i++) {
                markChanged(touched.items[i]);
            }
            for (int i = 0; i < before; i++) {
                int f = component.items[i];
                if (newRate[f] != rate[f]) {
                    for (int k = 3 * f; k < 3 * f + 3; k++) {
                        if (flowResources[k] != NONE) {
                            markChanged(flowResources[k]);
                        }
                    }
                }
                if (!hasBottleneck(f)) {
                    pullCompetitors(f);
                }
            }
            for (int i = 0; i < changedResources.size; i++) {
                int r = changedResources.items[i];
                for (int j = 0; j < flowsOnSize[r]; j++) {
                    int g = flowsOn[r][j];
                    if (flowStamp[g] != epoch && !hasBottleneck(g)) {
                        include(g);
                    }
                }
            }
            if (component.size == before) {
                break;
            }
        }
        for (int i = 0; i < touched.size; i++) {
            isTouched[touched.items[i]] = false;
        }
        touched.clear();
        for (int i = 0; i < component.size; i++) {
            int f = component.items[i];
            if (newRate[f] != rate[f]) {
                beforeChange.accept(f);
                rate[f] = newRate[f];
            }
        }
    }

    private void include(int f) {
        if (flowStamp[f] != epoch) {
            flowStamp[f] = epoch;
            // Until the next filling, a flow pulled in keeps its rate.
            newRate[f] = rate[f];
            component.push(f);
        }
    }

    private void markChanged(int r) {
        if (changedStamp[r] != round) {
            changedStamp[r] = round;
            changedResources.push(r);
        }
    }

    /** The rate f has in the allocation being computed. */
    private double current(int f) {
        return flowStamp[f] == epoch ? newRate[f] : rate[f];
    }

    private boolean hasBottleneck(int f) {
        double x = current(f);
        if (x >= flowCap[f] * (1 - 1e-9)) {
            return true;
        }
        for (int k = 3 * f; k < 3 * f + 3; k++) {
            int r = flowResources[k];
            if (r != NONE) {
                measure(r);
                if (load[r] >= capacity[r] * (1 - 1e-9) && x >= highest[r] * (1 - 1e-9)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Region flow f lacks a bottleneck: outside flows getting more on its full resources join. */
    private void pullCompetitors(int f) {
        double x = newRate[f];
        for (int k = 3 * f; k < 3 * f + 3; k++) {
            int r = flowResources[k];
            if (r != NONE && load[r] >= capacity[r] * (1 - 1e-9)) {
                for (int j = 0; j < flowsOnSize[r]; j++) {
                    int g = flowsOn[r][j];
                    if (flowStamp[g] != epoch && rate[g] > x * (1 + 1e-9)) {
                        include(g);
                    }
                }
            }
        }
    }

    /** Load and highest rate on r in the allocation being computed, once per round. */
    private void measure(int r) {
        if (measuredStamp[r] == round) {
            return;
        }
        measuredStamp[r] = round;
        double sum = 0;
        double max = 0;
        for (int j = 0; j < flowsOnSize[r]; j++) {
            double x = current(flowsOn[r][j]);
            sum += x;
            max = Math.max(max, x);
        }
        load[r] = sum;
        highest[r] = max;
    }

    /**
     * Progressive filling over the region: raise every region flow's rate together; a resource that
     * fills (after the fixed load of flows outside the region) freezes its region flows at their
     * share, a flow that reaches its own cap freezes there. Resources where the region flows' caps
     * fit in what is left cannot fill and are skipped, and flows without a resource that can fill
     * get their cap at once: most of a region, in a schedule that avoids contention.
     */
    private void waterFill() {
        round++;
        heap.clear();
        int resources = capacity.length;
        for (int i = 0; i < component.size; i++) {
            int f = component.items[i];
            for (int k = 3 * f; k < 3 * f + 3; k++) {
                int r = flowResources[k];
                if (r != NONE && examinedStamp[r] != round) {
                    examinedStamp[r] = round;
                    if (canSaturate(r)) {
                        considerBinding(r);
                    }
                }
            }
        }
        for (int i = 0; i < component.size; i++) {
            int f = component.items[i];
            boolean bound = false;
            for (int k = 3 * f; k < 3 * f + 3; k++) {
                int r = flowResources[k];
                bound |= r != NONE && inComponentStamp[r] == round;
            }
            if (bound) {
                heap.push(flowCap[f], resources + (long) f);
            } else {
                frozenStamp[f] = round;
                newRate[f] = flowCap[f];
            }
        }
        while (!heap.isEmpty()) {
            double level = heap.peekKey();
            long entry = heap.peekValue();
            heap.pop();
            int id = (int) entry;
            if (id >= resources) {
                int f = id - resources;
                if (frozenStamp[f] != round) {
                    freeze(f, level);
                }
            } else if ((int) (entry >>> 32) == version[id] && unfrozen[id] > 0) {
                for (int j = 0; j < flowsOnSize[id]; j++) {
                    int f = flowsOn[id][j];
                    if (flowStamp[f] == epoch && frozenStamp[f] != round) {
                        freeze(f, level);
                    }
                }
            }
        }
    }

    /** Enters r into the filling if its region flows could ask more than the fixed load leaves. */
    private void considerBinding(int r) {
        double fixed = 0;
        double wanted = 0;
        int inside = 0;
        for (int j = 0; j < flowsOnSize[r]; j++) {
            int g = flowsOn[r][j];
            if (flowStamp[g] == epoch) {
                inside++;
                wanted += flowCap[g];
            } else {
                fixed += rate[g];
            }
        }
        double left = Math.max(0, capacity[r] - fixed);
        if (inside > 0 && wanted > left * (1 + 1e-9)) {
            inComponentStamp[r] = round;
            residual[r] = left;
            unfrozen[r] = inside;
            version[r]++;
            heap.push(left / inside, resourceEntry(r));
        }
    }

    private void freeze(int f, double level) {
        frozenStamp[f] = round;
        newRate[f] = level;
        for (int k = 3 * f; k < 3 * f + 3; k++) {
            int r = flowResources[k];
            if (r != NONE && inComponentStamp[r] == round) {
                residual[r] -= level;
                if (--unfrozen[r] > 0) {
                    version[r]++;
                    heap.push(Math.max(0, residual[r]) / unfrozen[r], resourceEntry(r));
                }
            }
        }
    }

    private long resourceEntry(int r) {
        return ((long) version[r] << 32) | r;
    }
}
