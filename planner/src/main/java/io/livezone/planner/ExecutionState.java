package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The live state of one plan's execution: each move's status and each host's free memory. The
 * executor records what happened ({@link #started}, {@link #finished}, {@link #failed}); schedules
 * read it to decide what to start next.
 *
 * <p>Every change is also appended to a journal, so a schedule catches up on what changed since its
 * last call instead of rescanning the whole plan: that keeps a 10,000-move plan's scheduling
 * linear. Not thread-safe: the executor serialises its calls.
 *
 * <p>Memory accounting follows QEMU: an incoming migration reserves the zone's memory on the
 * destination from its start; the source frees it only once the migration completed; a failed
 * migration releases the destination and leaves the zone on its source.
 */
public final class ExecutionState {
    private final PlanInput input;
    private final PlanIndex plan;
    private final MoveStatus[] status;
    private final long[] freeMemory;
    private final int[] counts = new int[MoveStatus.values().length];
    private int[] journalMoves = new int[64];
    private MoveStatus[] journalStatus = new MoveStatus[64];
    private int journalSize;

    private ExecutionState(PlanInput input) {
        this.input = input;
        this.plan = PlanIndex.of(input);
        status = new MoveStatus[plan.moves];
        Arrays.fill(status, MoveStatus.PENDING);
        counts[MoveStatus.PENDING.ordinal()] = plan.moves;
        freeMemory = new long[plan.hosts];
        for (int h = 0; h < plan.hosts; h++) {
            freeMemory[h] = plan.hostMemory[h] - plan.usedMemory[h];
        }
    }

    /** A fresh execution of {@code input}: every move pending. */
    public static ExecutionState of(PlanInput input) {
        return new ExecutionState(input);
    }

    public PlanInput input() {
        return input;
    }

    public MoveStatus status(String zone) {
        return status[index(zone)];
    }

    /** The executor started migrating {@code zone}; it must be pending and fit its destination. */
    public void started(String zone) {
        started(index(zone));
    }

    /** The migration of {@code zone} completed: it now runs on its destination. */
    public void finished(String zone) {
        finished(index(zone));
    }

    /**
     * The migration of {@code zone} failed, or the executor gave up on it before it started; either
     * way the zone stays on its source.
     */
    public void failed(String zone) {
        int m = index(zone);
        MoveStatus from = status[m];
        if (from != MoveStatus.PENDING && from != MoveStatus.RUNNING) {
            throw new InvalidInputException(
                    "zone " + zone + " is " + from + "; only pending or running moves can fail");
        }
        if (from == MoveStatus.RUNNING) {
            freeMemory[plan.destination[m]] += plan.memory[m];
        }
        transition(m, MoveStatus.FAILED);
    }

    public List<Move> moves(MoveStatus wanted) {
        List<Move> result = new ArrayList<>(counts[wanted.ordinal()]);
        for (int m = 0; m < plan.moves; m++) {
            if (status[m] == wanted) {
                result.add(plan.move(m));
            }
        }
        return result;
    }

    public int count(MoveStatus wanted) {
        return counts[wanted.ordinal()];
    }

    /** Nothing pending and nothing running. */
    public boolean isFinished() {
        return counts[MoveStatus.PENDING.ordinal()] == 0
                && counts[MoveStatus.RUNNING.ordinal()] == 0;
    }

    public long freeMemoryBytes(String host) {
        int h = plan.hostIndex(host);
        if (h < 0) {
            throw new InvalidInputException("unknown host " + host);
        }
        return freeMemory[h];
    }

    /**
     * Why the plan cannot go on, when nothing runs but moves are pending: with no migration in
     * flight only memory can hold a move back (a schedule always starts something otherwise), and
     * that memory only frees if zones leave, so the executor is stuck until an operator acts.
     * Typically a failed migration left a zone where another one needed the room. Empty while the
     * plan can still progress.
     */
    public Optional<String> stallReason() {
        if (counts[MoveStatus.RUNNING.ordinal()] > 0 || counts[MoveStatus.PENDING.ordinal()] == 0) {
            return Optional.empty();
        }
        List<String> blocked = new ArrayList<>();
        for (int m = 0; m < plan.moves && blocked.size() < 5; m++) {
            int d = plan.destination[m];
            if (status[m] == MoveStatus.PENDING && freeMemory[d] < plan.memory[m]) {
                blocked.add(
                        "zone "
                                + plan.move(m).zone()
                                + " needs "
                                + PlanInput.size(plan.memory[m])
                                + " on "
                                + plan.hostId(d)
                                + ", which has "
                                + PlanInput.size(freeMemory[d])
                                + " free");
            }
        }
        if (blocked.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                "plan stalled with "
                        + counts[MoveStatus.PENDING.ordinal()]
                        + " moves pending and none running: "
                        + String.join("; ", blocked)
                        + ". Zones that failed to leave those hosts hold the room; retry them,"
                        + " free memory there, or re-plan the remaining moves");
    }

    // --- int API for schedules and the simulator ---

    PlanIndex plan() {
        return plan;
    }

    MoveStatus status(int m) {
        return status[m];
    }

    long freeMemory(int host) {
        return freeMemory[host];
    }

    void started(int m) {
        if (status[m] != MoveStatus.PENDING) {
            throw new InvalidInputException(
                    "zone "
                            + plan.move(m).zone()
                            + " is "
                            + status[m]
                            + "; only pending moves start");
        }
        int d = plan.destination[m];
        if (freeMemory[d] < plan.memory[m]) {
            throw new InvalidInputException(
                    "zone "
                            + plan.move(m).zone()
                            + " needs "
                            + PlanInput.size(plan.memory[m])
                            + " on "
                            + plan.hostId(d)
                            + " but only "
                            + PlanInput.size(freeMemory[d])
                            + " is free; start only what the schedule returns");
        }
        freeMemory[d] -= plan.memory[m];
        transition(m, MoveStatus.RUNNING);
    }

    void finished(int m) {
        if (status[m] != MoveStatus.RUNNING) {
            throw new InvalidInputException(
                    "zone "
                            + plan.move(m).zone()
                            + " is "
                            + status[m]
                            + "; only running moves finish");
        }
        freeMemory[plan.source[m]] += plan.memory[m];
        transition(m, MoveStatus.DONE);
    }

    int journalSize() {
        return journalSize;
    }

    int journalMove(int i) {
        return journalMoves[i];
    }

    MoveStatus journalStatus(int i) {
        return journalStatus[i];
    }

    private void transition(int m, MoveStatus to) {
        counts[status[m].ordinal()]--;
        counts[to.ordinal()]++;
        status[m] = to;
        if (journalSize == journalMoves.length) {
            journalMoves = Arrays.copyOf(journalMoves, journalSize * 2);
            journalStatus = Arrays.copyOf(journalStatus, journalSize * 2);
        }
        journalMoves[journalSize] = m;
        journalStatus[journalSize] = to;
        journalSize++;
    }

    private int index(String zone) {
        int m = plan.moveIndex(zone);
        if (m < 0) {
            throw new InvalidInputException("zone " + zone + " is not part of this plan");
        }
        return m;
    }
}
