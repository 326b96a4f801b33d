package io.livezone.coordinator.plan;

import io.livezone.core.cluster.MigrationSettings;

import java.util.List;

/** A migration plan: moves, the algorithm that schedules them, and how it went. */
public record PlanRecord(
        long id,
        String algorithm,
        PlanState state,
        MigrationSettings settings,
        long timeoutSeconds,
        long createdMillis,
        long finishedMillis,
        List<MoveRecord> moves) {
    public enum PlanState {
        RUNNING,
        /** Every move done. */
        DONE,
        /** Some move failed or timed out; the others finished; every zone runs somewhere. */
        FAILED,
        CANCELLED
    }

    public PlanRecord {
        moves = List.copyOf(moves);
    }

    public double percent() {
        return moves.stream()
                .mapToDouble(m -> m.state().finished() ? 100 : m.percent())
                .average()
                .orElse(100);
    }

    public long elapsedMillis() {
        return (finishedMillis > 0 ? finishedMillis : System.currentTimeMillis()) - createdMillis;
    }
}
