package io.livezone.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A deterministic fluid simulation of executing a plan under a policy, to compare policies and
 * predict benchmarks without VMs.
 *
 * <p>Each migration, once its schedule starts it, spends {@link MigrationTimeModel#setupTime} in
 * setup without using the network, then transfers disk, memory rounds and the final copy as {@link
 * PreCopy} describes, at whatever rate it gets: flows share NIC directions and link directions max-
 * min fairly ({@link FlowNetwork}), at the model's efficiency of nominal capacity, each capped by
 * QEMU max-bandwidth if set. A migration that gets less bandwidth than its zone dirties does not
 * converge until auto-converge has throttled the zone, which the result reports.
 *
 * <p>Events (setup over, phase sent) are processed in time order; rates change only when a flow
 * joins or leaves, and only in its component. The schedule is asked what to start after every batch
 * of completions, exactly as an executor would ask it.
 */
public final class PlanSimulator {
    private final MigrationTimeModel model;

    public PlanSimulator() {
        this(MigrationTimeModel.DEFAULT);
    }

    public PlanSimulator(MigrationTimeModel model) {
        this.model = Objects.requireNonNull(model, "model is null");
    }

    public MigrationTimeModel model() {
        return model;
    }

    /**
     * Simulates {@code input} under {@code policy}.
     *
     * @throws PlanDeadlockException when the plan cannot complete (see {@link
     *     MigrationSchedulePolicy#createSchedule})
     */
    public PlanResult simulate(PlanInput input, MigrationSchedulePolicy policy) {
        Objects.requireNonNull(input, "input is null");
        Objects.requireNonNull(policy, "policy is null");
        MigrationSchedule schedule = policy.createSchedule(input);
        return new Run(input, schedule).execute(policy.name());
    }

    private final class Run {
        private static final byte WAITING = 0;
        private static final byte SETUP = 1;
        private static final byte TRANSFER = 2;
        private static final byte DONE = 3;

        private final MigrationSchedule schedule;
        private final ExecutionState state;
        private final PlanIndex plan;
        private final FlowNetwork network;
        private final MinHeap events = new MinHeap();
        private final byte[] phase;
        private final int[] version;
        private final PreCopy[] copies;
        private final double[] remaining;
        private final double[] settled;
        private final double[] start;
        private final double[] transferStart;
        private final double[] end;
        private final boolean[] needsEvent;
        private final ListSchedule.IntStack reschedule = new ListSchedule.IntStack();
        private final ListSchedule.IntStack completed = new ListSchedule.IntStack();
        private double now;

        Run(PlanInput input, MigrationSchedule schedule) {
            this.schedule = schedule;
            state = ExecutionState.of(input);
            plan = state.plan();
            int n = plan.moves;
            double[] capacity = new double[plan.resources];
            for (int r = 0; r < plan.resources; r++) {
                capacity[r] = plan.capacity[r] * model.efficiency();
            }
            double[] flowCap = new double[n];
            for (int m = 0; m < n; m++) {
                flowCap[m] = plan.aloneRate(m, model.efficiency());
            }
            network = new FlowNetwork(capacity, plan.moveResources, flowCap);
            phase = new byte[n];
            version = new int[n];
            copies = new PreCopy[n];
            remaining = new double[n];
            settled = new double[n];
            start = new double[n];
            transferStart = new double[n];
            end = new double[n];
            needsEvent = new boolean[n];
        }

        PlanResult execute(String policy) {
            startWhatTheScheduleAllows();
            while (!state.isFinished()) {
                if (events.isEmpty()) {
                    throw new IllegalStateException(
                            "schedule "
                                    + policy
                                    + " stopped with moves pending: "
                                    + state.stallReason().orElse("no reason known"));
                }
                now = events.peekKey();
                while (!events.isEmpty() && events.peekKey() == now) {
                    long entry = events.peekValue();
                    events.pop();
                    int m = (int) entry;
                    if ((int) (entry >>> 32) == version[m]) {
                        advance(m);
                    }
                }
                network.rebalance(this::rateChanging);
                for (int i = 0; i < reschedule.size; i++) {
                    int m = reschedule.items[i];
                    needsEvent[m] = false;
                    if (phase[m] == TRANSFER) {
                        schedulePhaseEnd(m);
                    }
                }
                reschedule.clear();
                if (completed.size > 0) {
                    for (int i = 0; i < completed.size; i++) {
                        state.finished(completed.items[i]);
                    }
                    completed.clear();
                    startWhatTheScheduleAllows();
                }
            }
            return result(policy);
        }

        private void startWhatTheScheduleAllows() {
            while (true) {
                List<Move> moves = schedule.movesToStart(state);
                if (moves.isEmpty()) {
                    return;
                }
                for (Move move : moves) {
                    int m = plan.moveIndex(move.zone());
                    state.started(m);
                    phase[m] = SETUP;
                    start[m] = now;
                    events.push(now + model.setupTime(plan.rttSeconds[m]), eventEntry(m));
                }
            }
        }

        /** Move {@code m}'s pending event fired at {@link #now}. */
        private void advance(int m) {
            if (phase[m] == SETUP) {
                phase[m] = TRANSFER;
                transferStart[m] = now;
                copies[m] =
                        new PreCopy(
                                plan.memory[m],
                                plan.disk[m],
                                plan.dirty[m],
                                model.downtimeLimitSeconds(),
                                model.autoConverge(),
                                now);
                beginPhase(m);
                network.add(m);
                return;
            }
            PreCopy copy = copies[m];
            copy.phaseSent(now);
            if (copy.phase() == PreCopy.Phase.DONE) {
                phase[m] = DONE;
                end[m] = now;
                version[m]++;
                network.remove(m);
                completed.push(m);
            } else {
                beginPhase(m);
            }
        }

        private void beginPhase(int m) {
            remaining[m] = copies[m].phaseBytes();
            settled[m] = now;
            markForEvent(m);
        }

        /** Settles progress at the old rate before the network changes it. */
        private void rateChanging(int m) {
            remaining[m] -= network.rate(m) * (now - settled[m]);
            settled[m] = now;
            markForEvent(m);
        }

        private void markForEvent(int m) {
            if (!needsEvent[m]) {
                needsEvent[m] = true;
                reschedule.push(m);
            }
        }

        private void schedulePhaseEnd(int m) {
            version[m]++;
            double left = Math.max(0, remaining[m]);
            events.push(settled[m] + left / network.rate(m), eventEntry(m));
        }

        private long eventEntry(int m) {
            return ((long) version[m] << 32) | m;
        }

        private PlanResult result(String policy) {
            List<MoveTiming> timings = new ArrayList<>(plan.moves);
            double makespan = 0;
            for (int m = 0; m < plan.moves; m++) {
                PreCopy copy = copies[m];
                timings.add(
                        new MoveTiming(
                                plan.move(m).zone(),
                                start[m],
                                transferStart[m],
                                end[m],
                                copy.bytesSent(),
                                copy.rounds(),
                                copy.downtime(),
                                copy.throttlePercent(),
                                copy.converged()));
                makespan = Math.max(makespan, end[m]);
            }
            return new PlanResult(policy, makespan, timings);
        }
    }
}
