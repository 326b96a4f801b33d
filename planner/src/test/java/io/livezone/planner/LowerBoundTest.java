package io.livezone.planner;

import static io.livezone.planner.Plans.MB;
import static io.livezone.planner.Plans.NIC;
import static io.livezone.planner.Plans.ZONE;
import static io.livezone.planner.Plans.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LowerBoundTest {
    private static final double EPS = 1e-9;

    @Test
    void plainBoundIsTheBusiestNicDirection() {
        PlanInput twoToOne =
                plan().hosts("s1", "s2", "s3").move("a", "s1", "s3").move("b", "s2", "s3").build();
        LowerBound bound = LowerBound.of(twoToOne);
        assertThat(bound.seconds()).isCloseTo(20, within(EPS));
        assertThat(bound.bottleneck()).isEqualTo("host s3 inbound");

        // A swap loads each direction once.
        PlanInput swap =
                plan().hosts("s1", "s2").move("a", "s1", "s2").move("b", "s2", "s1").build();
        assertThat(LowerBound.of(swap).seconds()).isCloseTo(10, within(EPS));
    }

    @Test
    void plainBoundCountsDiskAndLinks() {
        PlanInput input =
                plan().host("a1", "east", NIC, 10 * ZONE)
                        .host("a2", "east", NIC, 10 * ZONE)
                        .host("b1", "west", NIC, 10 * ZONE)
                        .link("east", "west", 5 * MB, 30)
                        .move(new Move("x", "a1", "b1", ZONE, ZONE, 0))
                        .move("y", "a2", "b1")
                        .build();

        LowerBound bound = LowerBound.of(input);

        // 300 MB cross east→west at 5 MB/s.
        assertThat(bound.seconds()).isCloseTo(60, within(EPS));
        assertThat(bound.bottleneck()).isEqualTo("link east→west");
    }

    @Test
    void modelBoundAddsSetupAndGuaranteedResends() {
        PlanInput twoToOne =
                plan().hosts("s1", "s2", "s3")
                        .move("a", "s1", "s3", MB)
                        .move("b", "s2", "s3", MB)
                        .build();

        // Each zone resends at least the 10 MB dirtied in its first 10 s round and the 1 MB of its
        // second: 222 MB into s3 after 1 s of setup.
        assertThat(LowerBound.of(twoToOne, Plans.MODEL).seconds()).isCloseTo(1 + 22.2, within(EPS));
    }

    @Test
    void noPolicyBeatsTheModelBoundOnRandomFleets() {
        PlanSimulator simulator = new PlanSimulator();
        for (long seed = 1; seed <= 4; seed++) {
            PlanInput fleet = PlannerBenchmark.fleet(seed, 300, 30);
            double bound = LowerBound.of(fleet, MigrationTimeModel.DEFAULT).seconds();
            assertThat(bound).isGreaterThan(LowerBound.of(fleet).seconds());
            for (String name : MigrationSchedulePolicy.NAMES) {
                double makespan =
                        simulator
                                .simulate(fleet, MigrationSchedulePolicy.byName(name))
                                .makespanSeconds();
                assertThat(makespan).as("%s seed %d", name, seed).isGreaterThanOrEqualTo(bound);
            }
        }
    }
}
