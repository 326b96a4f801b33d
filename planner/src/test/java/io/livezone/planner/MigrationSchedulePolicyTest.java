package io.livezone.planner;

import static io.livezone.planner.Plans.MB;
import static io.livezone.planner.Plans.NIC;
import static io.livezone.planner.Plans.ZONE;
import static io.livezone.planner.Plans.plan;
import static io.livezone.planner.Plans.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each policy on hand-checked plans. Under {@link Plans#MODEL} a lone 100 MB zone over a 10 MB/s
 * NIC without dirty pages takes 1 s setup + 10 s = 11 s.
 */
class MigrationSchedulePolicyTest {
    private static final double EPS = 1e-9;

    @Test
    void byNameKnowsTheThreePoliciesWhateverTheCase() {
        assertThat(MigrationSchedulePolicy.byName("parallel")).isInstanceOf(ParallelSchedule.class);
        assertThat(MigrationSchedulePolicy.byName("Sequential"))
                .isInstanceOf(SequentialSchedule.class);
        assertThat(MigrationSchedulePolicy.byName(" AUTO "))
                .isInstanceOf(ContentionAwareSchedule.class);
        assertThat(MigrationSchedulePolicy.NAMES)
                .allSatisfy(n -> assertThat(MigrationSchedulePolicy.byName(n).name()).isEqualTo(n));
    }

    @Test
    void byNameRejectsUnknownNamesListingTheValidOnes() {
        assertThatThrownBy(() -> MigrationSchedulePolicy.byName("fastest"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "unknown migration schedule policy 'fastest'; valid: parallel,"
                                + " sequential, auto");
        assertThatThrownBy(() -> MigrationSchedulePolicy.byName(null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("valid: parallel, sequential, auto");
    }

    @Test
    void swapRunsBothDirectionsAtOnceExceptUnderSequential() {
        PlanInput swap =
                plan().hosts("s1", "s2").move("a", "s1", "s2").move("b", "s2", "s1").build();

        // Opposite NIC directions: each migration has a full 10 MB/s.
        assertThat(simulate(swap, "parallel").makespanSeconds()).isCloseTo(11, within(EPS));
        assertThat(simulate(swap, "auto").makespanSeconds()).isCloseTo(11, within(EPS));
        assertThat(simulate(swap, "auto").maxConcurrent()).isEqualTo(2);
        // One transaction per server: b waits for a.
        PlanResult sequential = simulate(swap, "sequential");
        assertThat(sequential.makespanSeconds()).isCloseTo(22, within(EPS));
        assertThat(sequential.timing("b").startSeconds()).isCloseTo(11, within(EPS));
    }

    @Test
    void twoToOneWithoutDirtyPagesOverlapsToSaveASetup() {
        PlanInput twoToOne =
                plan().hosts("s1", "s2", "s3").move("a", "s1", "s3").move("b", "s2", "s3").build();

        // Sharing s3's inbound NIC: both at 5 MB/s, 1 s + 200 MB / 10 MB/s = 21 s.
        assertThat(simulate(twoToOne, "parallel").makespanSeconds()).isCloseTo(21, within(EPS));
        // One after the other: 11 + 11 s.
        assertThat(simulate(twoToOne, "sequential").makespanSeconds()).isCloseTo(22, within(EPS));
        // Nothing to resend, so the model finds overlapping cheaper by one setup.
        assertThat(simulate(twoToOne, "auto").makespanSeconds()).isCloseTo(21, within(EPS));
    }

    @Test
    void twoToOneWithDirtyPagesIsSerialisedByAuto() {
        PlanInput twoToOne =
                plan().hosts("s1", "s2", "s3")
                        .move("a", "s1", "s3", MB)
                        .move("b", "s2", "s3", MB)
                        .build();

        // Alone, at 10 MB/s with 1 MB/s dirty: round 0 sends 100 MB in 10 s (10 MB dirtied),
        // round 1 sends 10 MB in 1 s (1 MB dirtied, under 10 MB/s × 1/8 s), the final copy 1 MB in
        // 0.1 s: 1 + 11.1 = 12.1 s each, 24.2 s in a row.
        assertThat(simulate(twoToOne, "sequential").makespanSeconds()).isCloseTo(24.2, within(EPS));
        PlanResult auto = simulate(twoToOne, "auto");
        assertThat(auto.makespanSeconds()).isCloseTo(24.2, within(EPS));
        assertThat(auto.maxConcurrent()).isEqualTo(1);
        // Shared, at 5 MB/s: rounds of 100, 20, 4 and 0.8 MB (20 + 4 + 0.8 + 0.16 s) until 0.16 MB
        // fits 5 MB/s × 1/8 s; final copy 0.032 s: 1 + 24.992 s for both.
        PlanResult parallel = simulate(twoToOne, "parallel");
        assertThat(parallel.makespanSeconds()).isCloseTo(25.992, within(EPS));
        assertThat(parallel.timing("a").rounds()).isEqualTo(4);
        assertThat(parallel.timing("a").bytesSent()).isCloseTo(124.96 * MB, within(1.0));
    }

    @Test
    void cycleUsesEachDirectionOnceAndRunsAllAtOnce() {
        PlanInput cycle =
                plan().hosts("s1", "s2", "s3")
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s3")
                        .move("c", "s3", "s1")
                        .build();

        assertThat(simulate(cycle, "auto").makespanSeconds()).isCloseTo(11, within(EPS));
        assertThat(simulate(cycle, "parallel").makespanSeconds()).isCloseTo(11, within(EPS));
        // Every pair of moves shares a server.
        assertThat(simulate(cycle, "sequential").makespanSeconds()).isCloseTo(33, within(EPS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"parallel", "sequential", "auto"})
    void destinationWaitsUntilAnotherMoveFreesIt(String policy) {
        // s2 is full with b; a can only land there once b has left for s3.
        PlanInput input =
                plan().host("s1", NIC, ZONE)
                        .host("s2", NIC, ZONE)
                        .host("s3", NIC, ZONE)
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s3")
                        .build();

        PlanResult result = simulate(input, policy);

        assertThat(result.timing("b").startSeconds()).isZero();
        assertThat(result.timing("a").startSeconds()).isCloseTo(11, within(EPS));
        assertThat(result.makespanSeconds()).isCloseTo(22, within(EPS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"parallel", "sequential", "auto"})
    void fullCycleWithOneSpareSlotUnwindsFromTheRoomyHost(String policy) {
        // Only s3 has room for one more zone: b goes first, then a into b's old place, then c.
        PlanInput input =
                plan().host("s1", NIC, ZONE)
                        .host("s2", NIC, ZONE)
                        .host("s3", NIC, 2 * ZONE)
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s3")
                        .move("c", "s3", "s1")
                        .build();

        PlanResult result = simulate(input, policy);

        assertThat(result.timing("b").startSeconds()).isZero();
        assertThat(result.timing("a").startSeconds()).isCloseTo(11, within(EPS));
        assertThat(result.timing("c").startSeconds()).isCloseTo(22, within(EPS));
        assertThat(result.makespanSeconds()).isCloseTo(33, within(EPS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"parallel", "sequential", "auto"})
    void admitsTheMoveThatUnlocksAChainBeforeOneThatWouldBlockIt(String policy) {
        // d (300 MB) holds q and must receive s (100 MB) and p (200 MB); y (200 MB) is full with p
        // and must receive q. Letting s in first would leave no room for p, so q could never leave:
        // p must go first, then q, then s.
        PlanInput input =
                plan().host("x", NIC, ZONE)
                        .host("y", NIC, 2 * ZONE)
                        .host("d", NIC, 3 * ZONE)
                        .move(new Move("s", "x", "d", ZONE, 0, 0))
                        .move(new Move("p", "y", "d", 2 * ZONE, 0, 0))
                        .move(new Move("q", "d", "y", ZONE, 0, 0))
                        .build();

        PlanResult result = simulate(input, policy);

        assertThat(result.timing("p").startSeconds()).isZero();
        assertThat(result.timing("q").startSeconds()).isCloseTo(21, within(EPS));
        assertThat(result.timing("s").startSeconds()).isCloseTo(32, within(EPS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"parallel", "sequential", "auto"})
    void fullSwapIsADeadlockReportedWithTheRoomItNeeds(String policy) {
        PlanInput input =
                plan().host("s1", NIC, ZONE)
                        .host("s2", NIC, ZONE)
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s1")
                        .build();

        assertThatThrownBy(() -> MigrationSchedulePolicy.byName(policy).createSchedule(input))
                .isInstanceOfSatisfying(
                        PlanDeadlockException.class,
                        e -> assertThat(e.zones()).containsExactlyInAnyOrder("a", "b"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("memory deadlock: ")
                .hasMessageContaining("a s1→s2")
                .hasMessageContaining("b s2→s1")
                .hasMessageContaining("Free at least 100000000B on s")
                .hasMessageContaining("to a spare host with 100000000B free");
    }

    @Test
    void fullThreeCycleIsADeadlock() {
        PlanInput input =
                plan().host("s1", NIC, ZONE)
                        .host("s2", NIC, ZONE)
                        .host("s3", NIC, ZONE)
                        .move("a", "s1", "s2")
                        .move("b", "s2", "s3")
                        .move("c", "s3", "s1")
                        .build();

        assertThatThrownBy(() -> new ContentionAwareSchedule().createSchedule(input))
                .isInstanceOfSatisfying(
                        PlanDeadlockException.class,
                        e -> assertThat(e.zones()).containsExactlyInAnyOrder("a", "b", "c"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"parallel", "sequential", "auto"})
    void perHostCapsLimitConcurrency(String policy) {
        // A 40 MB/s source feeding four 10 MB/s destinations: auto and parallel would run all four.
        Plans plans = plan().host("big", NIC * 4, 10 * ZONE).hosts("d1", "d2", "d3", "d4");
        for (int i = 1; i <= 4; i++) {
            plans.move("z" + i, "big", "d" + i);
        }

        PlanResult capped = simulate(plans.caps(new Caps(2, 0, 0, 0)).build(), policy);

        assertThat(capped.maxConcurrent()).isEqualTo(policy.equals("sequential") ? 1 : 2);
        if (!policy.equals("sequential")) {
            assertThat(capped.makespanSeconds()).isCloseTo(22, within(EPS));
        }
    }

    @Test
    void withoutCapsAFatSourceFeedsThinDestinationsAtOnce() {
        Plans plans = plan().host("big", NIC * 4, 10 * ZONE).hosts("d1", "d2", "d3", "d4");
        for (int i = 1; i <= 4; i++) {
            plans.move("z" + i, "big", "d" + i);
        }
        PlanResult auto = simulate(plans.build(), "auto");

        assertThat(auto.maxConcurrent()).isEqualTo(4);
        assertThat(auto.makespanSeconds()).isCloseTo(11, within(EPS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"parallel", "auto"})
    void clusterAndInboundCapsHold(String policy) {
        Plans plans = plan().host("big", NIC * 4, 10 * ZONE).hosts("d1", "d2", "d3", "d4");
        for (int i = 1; i <= 4; i++) {
            plans.move("z" + i, "big", "d" + i);
        }
        PlanResult cluster = simulate(plans.caps(new Caps(0, 0, 1, 0)).build(), policy);
        assertThat(cluster.maxConcurrent()).isEqualTo(1);
        assertThat(cluster.makespanSeconds()).isCloseTo(44, within(EPS));

        PlanInput twoToOne =
                plan().hosts("s1", "s2", "s3")
                        .move("a", "s1", "s3")
                        .move("b", "s2", "s3")
                        .caps(new Caps(0, 1, 0, 0))
                        .build();
        assertThat(simulate(twoToOne, policy).makespanSeconds()).isCloseTo(22, within(EPS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"parallel", "sequential", "auto"})
    void perMoveBandwidthCapSlowsEachMigration(String policy) {
        PlanInput input =
                plan().hosts("s1", "s2")
                        .move("a", "s1", "s2")
                        .caps(new Caps(0, 0, 0, 5 * MB))
                        .build();

        // 100 MB at 5 MB/s.
        assertThat(simulate(input, policy).makespanSeconds()).isCloseTo(21, within(EPS));
    }
}
