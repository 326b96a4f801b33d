package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.List;
import java.util.Locale;

/**
 * How to order and overlap the migrations of a multi-zone plan: the one strategy the executor and
 * the simulator share. Like Trino's {@code ExecutionPolicy}, a policy turns a plan into a {@link
 * MigrationSchedule} that is then asked, as execution goes on, which moves to start; the schedule
 * indexes the plan once so each question costs only what changed since the last.
 *
 * <p>Every schedule honours {@link Caps} and memory: a move starts only when its destination has
 * room, and on a destination that will only have room once other zones leave, incoming moves start
 * in an order proven at creation to reach the end (see {@link PlanDeadlockException}).
 */
@FunctionalInterface
public interface MigrationSchedulePolicy {
    List<String> NAMES =
            List.of(ParallelSchedule.NAME, SequentialSchedule.NAME, ContentionAwareSchedule.NAME);

    /**
     * Analyses {@code input} and returns its schedule.
     *
     * @throws PlanDeadlockException when zones wait on each other's memory in a cycle, so that no
     *     order of moves can complete the plan without temporary room
     */
    MigrationSchedule createSchedule(PlanInput input);

    /** The name {@link #byName} knows this policy by. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * {@code parallel}, {@code sequential} or {@code auto} (contention-aware), case-insensitive.
     */
    static MigrationSchedulePolicy byName(String name) {
        return byName(name, MigrationTimeModel.DEFAULT);
    }

    /** As {@link #byName(String)}; {@code model} informs the contention-aware policy. */
    static MigrationSchedulePolicy byName(String name, MigrationTimeModel model) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case ParallelSchedule.NAME -> new ParallelSchedule();
            case SequentialSchedule.NAME -> new SequentialSchedule();
            case ContentionAwareSchedule.NAME -> new ContentionAwareSchedule(model);
            default ->
                    throw new InvalidInputException(
                            "unknown migration schedule policy '"
                                    + name
                                    + "'; valid: "
                                    + String.join(", ", NAMES));
        };
    }
}
