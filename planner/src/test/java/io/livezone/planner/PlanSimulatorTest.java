package io.livezone.planner;

import static io.livezone.planner.Plans.MB;
import static io.livezone.planner.Plans.NIC;
import static io.livezone.planner.Plans.ZONE;
import static io.livezone.planner.Plans.plan;
import static io.livezone.planner.Plans.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.List;

class PlanSimulatorTest {
    private static final double EPS = 1e-9;

    @Test
    void aLoneMigrationTakesWhatTheModelPredicts() {
        MigrationTimeModel model = new MigrationTimeModel(0.7, 3, 0.9, 0.03, true);
        PlanInput input =
                plan().host("a1", "east", 20 * MB, 8 * ZONE)
                        .host("b1", "west", 50 * MB, 8 * ZONE)
                        .link("east", "west", 100 * MB, 40)
                        .move(new Move("z", "a1", "b1", 3 * ZONE, 2 * ZONE, 4 * MB))
                        .build();

        PlanResult result =
                new PlanSimulator(model).simulate(input, new ContentionAwareSchedule(model));
        MigrationEstimate estimate = model.estimate(20 * MB, 3 * ZONE, 2 * ZONE, 4 * MB, 0.040);

        MoveTiming z = result.timing("z");
        assertThat(z.endSeconds()).isCloseTo(estimate.totalSeconds(), within(1e-9));
        assertThat(z.transferStartSeconds()).isCloseTo(0.7 + 3 * 0.040, within(EPS));
        assertThat(z.rounds()).isEqualTo(estimate.rounds());
        assertThat(z.bytesSent()).isCloseTo(estimate.bytesSent(), within(1e-3));
        assertThat(z.downtimeSeconds()).isCloseTo(estimate.downtimeSeconds(), within(1e-9));
    }

    @Test
    void flowsShareMaxMinFairlyAndSpeedUpWhenOthersLeave() {
        // Both leave s1 (10 MB/s): 5 MB/s each until the 50 MB zone is done at 1 + 10 s; then
        // the other has 50 MB left at the full 10 MB/s: done at 16 s.
        PlanInput input =
                plan().hosts("s1", "d1", "d2")
                        .move("big", "s1", "d1")
                        .move(new Move("small", "s1", "d2", ZONE / 2, 0, 0))
                        .build();

        PlanResult result = simulate(input, "parallel");

        assertThat(result.timing("small").endSeconds()).isCloseTo(11, within(EPS));
        assertThat(result.timing("big").endSeconds()).isCloseTo(16, within(EPS));
    }

    @Test
    void aFlowHeldBackElsewhereLeavesItsShareToTheOthers() {
        // s1 sends 15 MB/s; d1 takes only 5, so the flow to d2 gets the other 10.
        PlanInput input =
                plan().host("s1", 15 * MB, 10 * ZONE)
                        .host("d1", 5 * MB, 10 * ZONE)
                        .host("d2", 20 * MB, 10 * ZONE)
                        .move("slow", "s1", "d1")
                        .move("fast", "s1", "d2")
                        .build();

        PlanResult result = simulate(input, "parallel");

        assertThat(result.timing("fast").endSeconds()).isCloseTo(11, within(EPS));
        assertThat(result.timing("slow").endSeconds()).isCloseTo(21, within(EPS));
    }

    @Test
    void aSiteLinkIsSharedPerDirection() {
        Plans plans =
                plan().host("a1", "east", 100 * MB, 10 * ZONE)
                        .host("a2", "east", 100 * MB, 10 * ZONE)
                        .host("b1", "west", 100 * MB, 10 * ZONE)
                        .host("b2", "west", 100 * MB, 10 * ZONE)
                        .link("east", "west", NIC, 0);
        PlanInput sameWay = plans.move("x", "a1", "b1").move("y", "a2", "b2").build();
        // 200 MB through one 10 MB/s direction.
        assertThat(simulate(sameWay, "parallel").makespanSeconds()).isCloseTo(21, within(EPS));

        PlanInput bothWays =
                plan().host("a1", "east", 100 * MB, 10 * ZONE)
                        .host("b1", "west", 100 * MB, 10 * ZONE)
                        .link("east", "west", NIC, 0)
                        .move("x", "a1", "b1")
                        .move("y", "b1", "a1")
                        .build();
        assertThat(simulate(bothWays, "parallel").makespanSeconds()).isCloseTo(11, within(EPS));
    }

    @Test
    void sharingABottleneckMakesAutoConvergeThrottleAndAutoAvoidsIt() {
        // 4 MB/s dirty: alone at 10 MB/s the zone converges; at a 5 MB/s share it dirties 80% of
        // what it sends, so auto-converge throttles it.
        PlanInput twoToOne =
                plan().hosts("s1", "s2", "s3")
                        .move("a", "s1", "s3", 4 * MB)
                        .move("b", "s2", "s3", 4 * MB)
                        .build();

        PlanResult parallel = simulate(twoToOne, "parallel");
        PlanResult auto = simulate(twoToOne, "auto");

        assertThat(parallel.throttledMoves()).isEqualTo(2);
        assertThat(auto.throttledMoves()).isZero();
        assertThat(auto.makespanSeconds()).isLessThan(parallel.makespanSeconds());
    }

    @Test
    void isDeterministic() {
        PlanInput fleet = PlannerBenchmark.fleet(11, 400, 40);
        PlanSimulator simulator = new PlanSimulator();
        for (String name : MigrationSchedulePolicy.NAMES) {
            PlanResult first = simulator.simulate(fleet, MigrationSchedulePolicy.byName(name));
            PlanResult second = simulator.simulate(fleet, MigrationSchedulePolicy.byName(name));
            assertThat(second).isEqualTo(first);
        }
    }

    @Test
    void everyMoveOfALargePlanCompletesOnceAndInOrder() {
        PlanInput fleet = PlannerBenchmark.fleet(5, 600, 60);
        for (String name : MigrationSchedulePolicy.NAMES) {
            PlanResult result =
                    new PlanSimulator().simulate(fleet, MigrationSchedulePolicy.byName(name));
            assertThat(result.moves()).hasSize(600);
            assertThat(result.moves())
                    .allSatisfy(
                            t -> {
                                assertThat(t.transferStartSeconds())
                                        .isGreaterThan(t.startSeconds());
                                assertThat(t.endSeconds()).isGreaterThan(t.transferStartSeconds());
                                assertThat(t.converged()).isTrue();
                            });
        }
    }

    @Test
    void aScheduleThatStopsStartingMovesIsReported() {
        PlanInput input = plan().hosts("s1", "s2").move("a", "s1", "s2").build();
        MigrationSchedulePolicy idle = plan -> state -> List.of();

        assertThatThrownBy(() -> Plans.SIMULATOR.simulate(input, idle))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped with moves pending");
    }
}
