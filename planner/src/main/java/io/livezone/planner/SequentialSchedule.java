package io.livezone.planner;

/**
 * At most one migration per server at a time, as source or destination (the paper's "sequential");
 * migrations between disjoint pairs of servers run together. Moves start in plan order. No
 * migration ever shares a NIC, but a swap takes twice as long as it needs to, since its two
 * directions would not have contended.
 */
public final class SequentialSchedule implements MigrationSchedulePolicy {
    public static final String NAME = "sequential";

    @Override
    public MigrationSchedule createSchedule(PlanInput input) {
        PlanIndex plan = PlanIndex.of(input);
        ConcurrencyUnits units = new ConcurrencyUnits(plan.moves);
        for (int h = 0; h < plan.hosts; h++) {
            units.addUnit(1);
        }
        for (int m = 0; m < plan.moves; m++) {
            units.use(m, plan.source[m], 1);
            units.use(m, plan.destination[m], 1);
        }
        return new ListSchedule(plan, ParallelSchedule.inputOrder(plan.moves), units);
    }

    @Override
    public String name() {
        return NAME;
    }
}
