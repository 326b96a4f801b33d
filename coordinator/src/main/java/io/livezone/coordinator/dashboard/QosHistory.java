package io.livezone.coordinator.dashboard;

import io.livezone.coordinator.dashboard.DashboardSnapshot.QosSample;
import io.livezone.coordinator.policy.PolicyDecision;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A small in-memory history for the dashboard: QoS samples (oldest first) and the latest policy
 * decisions (newest first). Lost on a coordinator restart, which is fine for a chart of the last
 * half hour.
 */
final class QosHistory {
    private final int capacity;
    private final int decisionCapacity;
    private final Deque<QosSample> samples = new ArrayDeque<>();
    private final Deque<PolicyDecision> decisions = new ArrayDeque<>();

    QosHistory(int capacity, int decisionCapacity) {
        this.capacity = capacity;
        this.decisionCapacity = decisionCapacity;
    }

    synchronized void record(QosSample s) {
        samples.addLast(s);
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    /** Keeps a decision unless it is the one seen last (policies report their last decision). */
    synchronized void note(PolicyDecision d) {
        PolicyDecision newest = decisions.peekFirst();
        if (newest != null && newest.equals(d)) {
            return;
        }
        decisions.addFirst(d);
        while (decisions.size() > decisionCapacity) {
            decisions.removeLast();
        }
    }

    synchronized List<QosSample> samples() {
        return List.copyOf(samples);
    }

    synchronized List<PolicyDecision> decisions() {
        return new ArrayList<>(decisions);
    }
}
