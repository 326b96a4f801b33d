package io.livezone.planner;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * The "auto" policy: overlap migrations that do not contend, serialise those that would.
 *
 * <p>Why serialise: two pre-copy migrations sharing a bottleneck each get half of it, so each takes
 * twice as long <em>and</em> resends more dirty pages (round i sends M·(D/B)^i, and B halved), so
 * together they finish later than one after the other, and the first zone moves only at the end.
 * Directions are separate resources: a swap (a: s1→s2, b: s2→s1) or a cycle uses each NIC direction
 * once and runs all at once.
 *
 * <p>How: every NIC direction and link direction is a resource with a bandwidth budget; each move
 * weighs its stand-alone rate (the slowest of its NICs, link and the per-move cap). A move starts
 * when its resources are idle or still have budget, so a 10 Gbit/s source can feed several 1 Gbit/s
 * destinations at once while two moves into one 1 Gbit/s NIC go one after the other. The budget of
 * each resource is its capacity times an oversubscription factor the {@link MigrationTimeModel}
 * chooses: for the moves through it, k at a time, {@code ceil(n/k) × time(rate = capacity/k)} is
 * minimised over k. Without dirty pages, overlapping saves setup and handshake time and wins; with
 * them, serialising usually does.
 *
 * <p>Order: moves that free memory on a host other moves wait for go first; then moves whose
 * busiest resource carries the most transfer time (the critical resources of {@link LowerBound}),
 * longest first. Memory and caps are enforced by {@link ListSchedule} as for every policy.
 */
public final class ContentionAwareSchedule implements MigrationSchedulePolicy {
    public static final String NAME = "auto";

    /** Budget beyond capacity that even serialising resources allow: small overlaps are cheap. */
    static final double MIN_OVERSUBSCRIPTION = 1.25;

    private static final int MAX_CONCURRENCY_TRIED = 64;

    private final MigrationTimeModel model;

    public ContentionAwareSchedule() {
        this(MigrationTimeModel.DEFAULT);
    }

    public ContentionAwareSchedule(MigrationTimeModel model) {
        this.model = Objects.requireNonNull(model, "model is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public MigrationSchedule createSchedule(PlanInput input) {
        PlanIndex plan = PlanIndex.of(input);
        int n = plan.moves;
        double efficiency = model.efficiency();
        double[] rate = new double[n];
        double[] alone = new double[n];
        Aggregates perResource = new Aggregates(plan.resources);
        for (int m = 0; m < n; m++) {
            rate[m] = plan.aloneRate(m, efficiency);
            MigrationEstimate estimate =
                    model.atRate(
                            rate[m],
                            plan.memory[m],
                            plan.disk[m],
                            plan.dirty[m],
                            plan.rttSeconds[m]);
            alone[m] = estimate.totalSeconds();
            for (int k = 3 * m; k < 3 * m + 3; k++) {
                int r = plan.moveResources[k];
                if (r >= 0) {
                    perResource.add(r, plan, m, rate[m], estimate.bytesSent());
                }
            }
        }
        double[] bottleneck = new double[n];
        ConcurrencyUnits units = new ConcurrencyUnits(n);
        for (int r = 0; r < plan.resources; r++) {
            double capacity = plan.capacity[r] * efficiency;
            units.addUnit(capacity * oversubscription(perResource, r, capacity));
        }
        for (int m = 0; m < n; m++) {
            for (int k = 3 * m; k < 3 * m + 3; k++) {
                int r = plan.moveResources[k];
                if (r >= 0) {
                    units.use(m, r, rate[m]);
                    double seconds = perResource.bytes[r] / (plan.capacity[r] * efficiency);
                    bottleneck[m] = Math.max(bottleneck[m], seconds);
                }
            }
        }
        boolean[] tight = MemoryAdmission.tightHosts(plan);
        Integer[] order = new Integer[n];
        Arrays.setAll(order, m -> m);
        Arrays.sort(
                order,
                Comparator.<Integer>comparingInt(m -> tight[plan.source[m]] ? 0 : 1)
                        .thenComparingDouble(m -> -bottleneck[m])
                        .thenComparingDouble(m -> -alone[m])
                        .thenComparingInt(m -> m));
        return new ListSchedule(plan, Arrays.stream(order).mapToInt(m -> m).toArray(), units);
    }

    /**
     * How far the resource's budget may exceed its capacity: the concurrency k that the model says
     * finishes its moves soonest, in batches of k sharing it, as a multiple of capacity.
     */
    private double oversubscription(Aggregates a, int r, double capacity) {
        int count = a.count[r];
        if (count <= 1) {
            return MIN_OVERSUBSCRIPTION;
        }
        double meanRate = a.rate[r] / count;
        long memory = Math.max(1, Math.round(a.memory[r] / count));
        long disk = Math.round(a.disk[r] / count);
        double dirty = a.dirty[r] / count;
        double rtt = a.rtt[r] / count;
        int best = 1;
        double bestSeconds = Double.POSITIVE_INFINITY;
        for (int k = 1; k <= Math.min(count, MAX_CONCURRENCY_TRIED); k++) {
            double share = Math.min(meanRate, capacity / k);
            double batches = Math.ceil(count / (double) k);
            double seconds = batches * model.atRate(share, memory, disk, dirty, rtt).totalSeconds();
            if (seconds < bestSeconds * (1 - 1e-9)) {
                bestSeconds = seconds;
                best = k;
            }
            if (k * meanRate >= 4 * capacity) {
                break;
            }
        }
        return Math.max(MIN_OVERSUBSCRIPTION, best * meanRate / capacity);
    }

    /** Sums over the moves using each resource. */
    private static final class Aggregates {
        final int[] count;
        final double[] rate;
        final double[] memory;
        final double[] disk;
        final double[] dirty;
        final double[] rtt;
        final double[] bytes;

        Aggregates(int resources) {
            count = new int[resources];
            rate = new double[resources];
            memory = new double[resources];
            disk = new double[resources];
            dirty = new double[resources];
            rtt = new double[resources];
            bytes = new double[resources];
        }

        void add(int r, PlanIndex plan, int m, double moveRate, double moveBytes) {
            count[r]++;
            rate[r] += moveRate;
            memory[r] += plan.memory[m];
            disk[r] += plan.disk[m];
            dirty[r] += plan.dirty[m];
            rtt[r] += plan.rttSeconds[m];
            bytes[r] += moveBytes;
        }
    }
}
