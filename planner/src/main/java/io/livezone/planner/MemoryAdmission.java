package io.livezone.planner;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The order in which moves may claim memory on hosts that cannot take all their incoming zones at
 * once ("tight" hosts), found at plan time and proven to complete the plan.
 *
 * <p>Why: a destination reserves a zone's memory for the whole migration, and a source frees it
 * only at the end. On a tight host, letting any fitting move in can eat room another move needed to
 * unblock a chain (x→d fills d, so y→d cannot start, so y's source never frees for the zone d was
 * to send there). Deciding that well is a scheduling problem in its own right, so it is done once
 * here: pretend each admitted move completes at once, admit greedily, and record per tight host the
 * order of admission. A schedule that starts incoming moves of a tight host only in that order can
 * always finish: the first pending move of the order fits once the moves before it have completed.
 * Hosts with room for all their incoming zones are unconstrained.
 *
 * <p>On tight hosts, moves whose own source is tight go first: they unlock further chains. If the
 * greedy pass still gets stuck, the stuck moves contain a cycle of hosts waiting on each other
 * (final capacities were validated, so a host with no zone left to send always has room), which
 * {@link PlanDeadlockException} reports with the room that breaks it. Finding an order whenever one
 * exists is a hard packing problem; the greedy pass can, in contrived plans with several tight
 * hosts of mixed zone sizes, report a cycle that a cleverer order would have avoided. The room it
 * asks for breaks that cycle.
 */
final class MemoryAdmission {
    final boolean[] tight;

    /**
     * Per tight host, its incoming moves in admission order: {@code order[start[h]..start[h+1])}.
     */
    final int[] start;

    final int[] order;

    private MemoryAdmission(boolean[] tight, int[] start, int[] order) {
        this.tight = tight;
        this.start = start;
        this.order = order;
    }

    /** Hosts that cannot take all their incoming zones before some zones leave them. */
    static boolean[] tightHosts(PlanIndex plan) {
        long[] incoming = new long[plan.hosts];
        for (int m = 0; m < plan.moves; m++) {
            incoming[plan.destination[m]] += plan.memory[m];
        }
        boolean[] tight = new boolean[plan.hosts];
        for (int h = 0; h < plan.hosts; h++) {
            tight[h] = plan.hostMemory[h] - plan.usedMemory[h] < incoming[h];
        }
        return tight;
    }

    /**
     * @param rank the schedule's priority of each move (lower first), used to break ties
     * @throws PlanDeadlockException when no admission order exists that this pass can find
     */
    static MemoryAdmission plan(PlanIndex plan, int[] rank) {
        boolean[] tight = tightHosts(plan);
        int[] start = new int[plan.hosts + 1];
        for (int m = 0; m < plan.moves; m++) {
            if (tight[plan.destination[m]]) {
                start[plan.destination[m] + 1]++;
            }
        }
        for (int h = 0; h < plan.hosts; h++) {
            start[h + 1] += start[h];
        }
        // candidates[start[h]..start[h+1]) = incoming moves of tight host h, preferred first.
        Integer[] candidates = new Integer[start[plan.hosts]];
        int[] fill = Arrays.copyOf(start, plan.hosts);
        for (int m = 0; m < plan.moves; m++) {
            int d = plan.destination[m];
            if (tight[d]) {
                candidates[fill[d]++] = m;
            }
        }
        Comparator<Integer> preferred =
                Comparator.<Integer>comparingInt(m -> tight[plan.source[m]] ? 0 : 1)
                        .thenComparingInt(m -> rank[m]);
        for (int h = 0; h < plan.hosts; h++) {
            Arrays.sort(candidates, start[h], start[h + 1], preferred);
        }

        long[] free = new long[plan.hosts];
        for (int h = 0; h < plan.hosts; h++) {
            free[h] = plan.hostMemory[h] - plan.usedMemory[h];
        }
        boolean[] admitted = new boolean[plan.moves];
        int[] order = new int[candidates.length];
        int[] orderFill = Arrays.copyOf(start, plan.hosts);
        ArrayDeque<Integer> work = new ArrayDeque<>();
        boolean[] queued = new boolean[plan.hosts];
        // Moves into roomy hosts complete regardless of order: their sources free up first.
        for (int m = 0; m < plan.moves; m++) {
            if (!tight[plan.destination[m]]) {
                admitted[m] = true;
                free[plan.source[m]] += plan.memory[m];
            }
        }
        for (int h = 0; h < plan.hosts; h++) {
            if (start[h + 1] > start[h]) {
                work.add(h);
                queued[h] = true;
            }
        }
        while (!work.isEmpty()) {
            int d = work.poll();
            queued[d] = false;
            for (int i = start[d]; i < start[d + 1]; i++) {
                int m = candidates[i];
                if (!admitted[m] && plan.memory[m] <= free[d]) {
                    admitted[m] = true;
                    order[orderFill[d]++] = m;
                    free[d] -= plan.memory[m];
                    int s = plan.source[m];
                    free[s] += plan.memory[m];
                    if (tight[s] && !queued[s] && orderFill[s] < start[s + 1]) {
                        work.add(s);
                        queued[s] = true;
                    }
                }
            }
        }
        for (int h = 0; h < plan.hosts; h++) {
            if (orderFill[h] < start[h + 1]) {
                throw deadlock(plan, admitted, free, h);
            }
        }
        return new MemoryAdmission(tight, start, order);
    }

    /** Walks from a stuck host along stuck moves out of it until a host repeats: the cycle. */
    private static PlanDeadlockException deadlock(
            PlanIndex plan, boolean[] admitted, long[] free, int stuckHost) {
        int[] stuckOut = new int[plan.hosts];
        int[] stuckIn = new int[plan.hosts];
        Arrays.fill(stuckOut, -1);
        Arrays.fill(stuckIn, -1);
        for (int m = 0; m < plan.moves; m++) {
            if (!admitted[m]) {
                if (stuckOut[plan.source[m]] < 0) {
                    stuckOut[plan.source[m]] = m;
                }
                int d = plan.destination[m];
                if (stuckIn[d] < 0 || plan.memory[m] < plan.memory[stuckIn[d]]) {
                    stuckIn[d] = m;
                }
            }
        }
        int[] seenAt = new int[plan.hosts];
        Arrays.fill(seenAt, -1);
        List<Integer> path = new ArrayList<>();
        int h = stuckHost;
        while (seenAt[h] < 0) {
            seenAt[h] = path.size();
            int m = stuckOut[h];
            if (m < 0) {
                // Cannot happen for validated plans: final capacities fit, so a host that sends
                // nothing more has room for everything still coming.
                throw new IllegalStateException(
                        "host " + plan.hostId(h) + " stuck with no way out");
            }
            path.add(m);
            h = plan.destination[m];
        }
        List<Integer> cycle = path.subList(seenAt[h], path.size());
        List<String> zones = new ArrayList<>();
        List<String> described = new ArrayList<>();
        int easiest = -1;
        long easiestShortfall = Long.MAX_VALUE;
        for (int m : cycle) {
            zones.add(plan.move(m).zone());
            described.add(plan.move(m).toString());
            int d = plan.destination[m];
            long shortfall = plan.memory[stuckIn[d]] - free[d];
            if (shortfall < easiestShortfall) {
                easiestShortfall = shortfall;
                easiest = d;
            }
        }
        int smallest = cycle.get(0);
        for (int m : cycle) {
            if (plan.memory[m] < plan.memory[smallest]) {
                smallest = m;
            }
        }
        String message =
                "memory deadlock: "
                        + String.join(", ", described)
                        + " wait for each other; each destination is full until another zone of"
                        + " this cycle has left it. Free at least "
                        + PlanInput.size(easiestShortfall)
                        + " on "
                        + plan.hostId(easiest)
                        + ", or first move zone "
                        + plan.move(smallest).zone()
                        + " to a spare host with "
                        + PlanInput.size(plan.memory[smallest])
                        + " free and plan its final move afterwards";
        return new PlanDeadlockException(message, zones);
    }
}
