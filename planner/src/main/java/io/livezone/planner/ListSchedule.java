package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The engine behind every policy: list scheduling over a fixed priority order. A move starts when
 * it is pending, its destination has room (in {@link MemoryAdmission} order on tight hosts), every
 * {@link ConcurrencyUnits unit} it uses admits it, and the cluster cap allows one more; among
 * those, higher priority first.
 *
 * <p>Cost: each call catches up on the {@link ExecutionState} journal and re-examines only moves
 * that a change could have unblocked (the pending moves of a released unit, the next move of a
 * tight host whose memory grew); moves ready to start sit in a bit set ordered by priority, and a
 * ready move that a later start blocked is dropped lazily when met. A whole plan thus costs about
 * the sum over units of (releases × pending moves on the unit), not moves² per event.
 */
final class ListSchedule implements MigrationSchedule {
    private static final double TOLERANCE = 1e-9;

    private final PlanIndex plan;
    private final int[] order;
    private final int[] rank;
    private final MemoryAdmission memory;
    private final int clusterCap;
    private final double[] limit;
    private final int[] moveUnitStart;
    private final int[] moveUnits;
    private final double[] moveWeights;
    private final int[] unitStart;
    private final int[] unitMoves;

    // Derived from the bound ExecutionState, caught up through its journal.
    private ExecutionState bound;
    private int cursor;
    private final MoveStatus[] seen;
    private final double[] used;
    private final int[] users;
    private final int[] unitLength;
    private final int[] head;
    private final BitSet ready;
    private int running;
    private boolean examineAll;
    private final IntStack dirtyUnits = new IntStack();
    private final boolean[] unitDirty;
    private final IntStack dirtyHosts = new IntStack();
    private final boolean[] hostDirty;

    // What the current call has chosen so far, undone before it returns.
    private final double[] tentativeUsed;
    private final int[] tentativeUsers;
    private final long[] tentativeMemory;
    private final int[] tentativeHead;
    private final boolean[] hostTouched;
    private final boolean[] chosen;
    private final IntStack touchedUnits = new IntStack();
    private final IntStack touchedHosts = new IntStack();
    private final IntStack chosenMoves = new IntStack();

    /**
     * @param order moves by priority, highest first
     * @param units what may overlap, per the policy; caps are added here
     */
    ListSchedule(PlanIndex plan, int[] order, ConcurrencyUnits units) {
        this.plan = plan;
        this.order = order.clone();
        rank = new int[plan.moves];
        for (int r = 0; r < order.length; r++) {
            rank[order[r]] = r;
        }
        memory = MemoryAdmission.plan(plan, rank);
        Caps caps = plan.input.caps();
        clusterCap = caps.perCluster();
        if (caps.perHostOutbound() > 0) {
            int base = units.unitCount();
            for (int h = 0; h < plan.hosts; h++) {
                units.addUnit(caps.perHostOutbound());
            }
            for (int m = 0; m < plan.moves; m++) {
                units.use(m, base + plan.source[m], 1);
            }
        }
        if (caps.perHostInbound() > 0) {
            int base = units.unitCount();
            for (int h = 0; h < plan.hosts; h++) {
                units.addUnit(caps.perHostInbound());
            }
            for (int m = 0; m < plan.moves; m++) {
                units.use(m, base + plan.destination[m], 1);
            }
        }
        limit = units.limits();
        ConcurrencyUnits.ByMove byMove = units.byMove();
        moveUnitStart = byMove.start();
        moveUnits = byMove.units();
        moveWeights = byMove.weights();
        int unitCount = limit.length;
        // Transpose: the moves of each unit, in priority order.
        unitStart = new int[unitCount + 1];
        for (int u : moveUnits) {
            unitStart[u + 1]++;
        }
        for (int u = 0; u < unitCount; u++) {
            unitStart[u + 1] += unitStart[u];
        }
        unitMoves = new int[moveUnits.length];
        int[] fill = Arrays.copyOf(unitStart, unitCount);
        for (int m : this.order) {
            for (int k = moveUnitStart[m]; k < moveUnitStart[m + 1]; k++) {
                unitMoves[fill[moveUnits[k]]++] = m;
            }
        }
        seen = new MoveStatus[plan.moves];
        used = new double[unitCount];
        users = new int[unitCount];
        unitLength = new int[unitCount];
        unitDirty = new boolean[unitCount];
        head = new int[plan.hosts];
        hostDirty = new boolean[plan.hosts];
        ready = new BitSet(plan.moves);
        tentativeUsed = new double[unitCount];
        tentativeUsers = new int[unitCount];
        tentativeMemory = new long[plan.hosts];
        tentativeHead = new int[plan.hosts];
        hostTouched = new boolean[plan.hosts];
        chosen = new boolean[plan.moves];
    }

    @Override
    public List<Move> movesToStart(ExecutionState state) {
        if (state.input() != plan.input) {
            throw new InvalidInputException(
                    "execution state belongs to another plan; create it with"
                            + " ExecutionState.of(input) from the PlanInput this schedule was made"
                            + " for");
        }
        if (state != bound) {
            bind(state);
        }
        catchUp(state);
        return select(state);
    }

    private void bind(ExecutionState state) {
        bound = state;
        cursor = 0;
        Arrays.fill(seen, MoveStatus.PENDING);
        Arrays.fill(used, 0);
        Arrays.fill(users, 0);
        for (int u = 0; u < unitLength.length; u++) {
            unitLength[u] = unitStart[u + 1] - unitStart[u];
        }
        System.arraycopy(memory.start, 0, head, 0, plan.hosts);
        ready.clear();
        running = 0;
        examineAll = true;
    }

    private void catchUp(ExecutionState state) {
        int size = state.journalSize();
        for (; cursor < size; cursor++) {
            int m = state.journalMove(cursor);
            MoveStatus to = state.journalStatus(cursor);
            MoveStatus from = seen[m];
            seen[m] = to;
            if (to == MoveStatus.RUNNING) {
                acquire(m);
                running++;
                advanceHead(plan.destination[m]);
            } else if (from == MoveStatus.RUNNING) {
                release(m);
                running--;
                // Done frees the source; failed frees the reservation on the destination.
                markMemoryFreed(to == MoveStatus.DONE ? plan.source[m] : plan.destination[m]);
            } else {
                advanceHead(plan.destination[m]);
            }
        }
        if (examineAll) {
            examineAll = false;
            for (int r = 0; r < order.length; r++) {
                if (examine(state, order[r], false)) {
                    ready.set(r);
                }
            }
        } else {
            for (int i = 0; i < dirtyUnits.size; i++) {
                reexamineUnit(state, dirtyUnits.items[i]);
            }
            for (int i = 0; i < dirtyHosts.size; i++) {
                int h = dirtyHosts.items[i];
                if (head[h] < memory.start[h + 1]) {
                    int m = memory.order[head[h]];
                    if (examine(state, m, false)) {
                        ready.set(rank[m]);
                    }
                }
            }
        }
        for (int i = 0; i < dirtyUnits.size; i++) {
            unitDirty[dirtyUnits.items[i]] = false;
        }
        for (int i = 0; i < dirtyHosts.size; i++) {
            hostDirty[dirtyHosts.items[i]] = false;
        }
        dirtyUnits.clear();
        dirtyHosts.clear();
    }

    /** Examines the unit's pending moves, dropping the ones no longer pending from its list. */
    private void reexamineUnit(ExecutionState state, int u) {
        int from = unitStart[u];
        int kept = from;
        for (int i = from; i < from + unitLength[u]; i++) {
            int m = unitMoves[i];
            if (seen[m] == MoveStatus.PENDING) {
                unitMoves[kept++] = m;
                if (examine(state, m, false)) {
                    ready.set(rank[m]);
                }
            }
        }
        unitLength[u] = kept - from;
    }

    private List<Move> select(ExecutionState state) {
        List<Move> result = new ArrayList<>();
        for (int r = ready.nextSetBit(0); r >= 0; r = ready.nextSetBit(r + 1)) {
            if (clusterFull(result)) {
                break;
            }
            int m = order[r];
            if (!examine(state, m, false)) {
                ready.clear(r);
            } else if (examine(state, m, true)) {
                choose(state, m, result);
            }
        }
        undoTentative();
        return result;
    }

    private boolean clusterFull(List<Move> result) {
        return clusterCap > 0 && running + result.size() >= clusterCap;
    }

    private void choose(ExecutionState state, int m, List<Move> result) {
        while (m >= 0) {
            chosen[m] = true;
            chosenMoves.push(m);
            result.add(plan.move(m));
            for (int k = moveUnitStart[m]; k < moveUnitStart[m + 1]; k++) {
                int u = moveUnits[k];
                if (tentativeUsers[u] == 0) {
                    touchedUnits.push(u);
                }
                tentativeUsers[u]++;
                tentativeUsed[u] += moveWeights[k];
            }
            int d = plan.destination[m];
            touchHost(d);
            tentativeMemory[d] += plan.memory[m];
            m = -1;
            if (memory.tight[d]) {
                // The next move in d's admission order was not ready before this call; it may be
                // now, and waiting for the next event to start it could waste a whole migration.
                int i = tentativeHead[d];
                while (i < memory.start[d + 1]
                        && (seen[memory.order[i]] != MoveStatus.PENDING
                                || chosen[memory.order[i]])) {
                    i++;
                }
                tentativeHead[d] = i;
                if (i < memory.start[d + 1]
                        && !clusterFull(result)
                        && examine(state, memory.order[i], true)) {
                    m = memory.order[i];
                }
            }
        }
    }

    private void touchHost(int h) {
        if (!hostTouched[h]) {
            hostTouched[h] = true;
            touchedHosts.push(h);
            tentativeHead[h] = head[h];
        }
    }

    private void undoTentative() {
        for (int i = 0; i < touchedUnits.size; i++) {
            int u = touchedUnits.items[i];
            tentativeUsers[u] = 0;
            tentativeUsed[u] = 0;
        }
        for (int i = 0; i < touchedHosts.size; i++) {
            int h = touchedHosts.items[i];
            hostTouched[h] = false;
            tentativeMemory[h] = 0;
        }
        for (int i = 0; i < chosenMoves.size; i++) {
            chosen[chosenMoves.items[i]] = false;
        }
        touchedUnits.clear();
        touchedHosts.clear();
        chosenMoves.clear();
    }

    /** Whether {@code m} may start now; with {@code tentative}, also after this call's choices. */
    private boolean examine(ExecutionState state, int m, boolean tentative) {
        if (seen[m] != MoveStatus.PENDING || (tentative && chosen[m])) {
            return false;
        }
        int d = plan.destination[m];
        boolean touched = tentative && hostTouched[d];
        if (memory.tight[d]) {
            int h = touched ? tentativeHead[d] : head[d];
            if (h >= memory.start[d + 1] || memory.order[h] != m) {
                return false;
            }
        }
        long free = state.freeMemory(d) - (touched ? tentativeMemory[d] : 0);
        if (free < plan.memory[m]) {
            return false;
        }
        for (int k = moveUnitStart[m]; k < moveUnitStart[m + 1]; k++) {
            int u = moveUnits[k];
            int n = users[u] + (tentative ? tentativeUsers[u] : 0);
            double load = used[u] + (tentative ? tentativeUsed[u] : 0);
            if (n > 0 && load + moveWeights[k] > limit[u] * (1 + TOLERANCE)) {
                return false;
            }
        }
        return true;
    }

    private void acquire(int m) {
        for (int k = moveUnitStart[m]; k < moveUnitStart[m + 1]; k++) {
            int u = moveUnits[k];
            users[u]++;
            used[u] += moveWeights[k];
        }
    }

    private void release(int m) {
        for (int k = moveUnitStart[m]; k < moveUnitStart[m + 1]; k++) {
            int u = moveUnits[k];
            users[u]--;
            // Reset rather than subtract to zero: no float residue may keep an idle unit "busy".
            used[u] = users[u] == 0 ? 0 : used[u] - moveWeights[k];
            if (!unitDirty[u]) {
                unitDirty[u] = true;
                dirtyUnits.push(u);
            }
        }
    }

    private void advanceHead(int d) {
        if (!memory.tight[d]) {
            return;
        }
        int before = head[d];
        while (head[d] < memory.start[d + 1] && seen[memory.order[head[d]]] != MoveStatus.PENDING) {
            head[d]++;
        }
        if (head[d] != before) {
            markMemoryFreed(d);
        }
    }

    private void markMemoryFreed(int h) {
        if (memory.tight[h] && !hostDirty[h]) {
            hostDirty[h] = true;
            dirtyHosts.push(h);
        }
    }

    /** A growable int stack without boxing. */
    static final class IntStack {
        int[] items = new int[16];
        int size;

        void push(int value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = value;
        }

        void clear() {
            size = 0;
        }
    }
}
