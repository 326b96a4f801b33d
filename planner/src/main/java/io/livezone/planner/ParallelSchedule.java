package io.livezone.planner;

/**
 * Start every migration at once (the paper's "parallel"): only memory and {@link Caps} hold a move
 * back, so a destination without room waits until zones have left it. Migrations sharing a NIC
 * direction split its bandwidth, which stretches each of them and makes pre-copy resend more dirty
 * pages; the baseline the contention-aware policy is measured against.
 */
public final class ParallelSchedule implements MigrationSchedulePolicy {
    public static final String NAME = "parallel";

    @Override
    public MigrationSchedule createSchedule(PlanInput input) {
        PlanIndex plan = PlanIndex.of(input);
        return new ListSchedule(plan, inputOrder(plan.moves), new ConcurrencyUnits(plan.moves));
    }

    @Override
    public String name() {
        return NAME;
    }

    static int[] inputOrder(int moves) {
        int[] order = new int[moves];
        for (int m = 0; m < moves; m++) {
            order[m] = m;
        }
        return order;
    }
}
