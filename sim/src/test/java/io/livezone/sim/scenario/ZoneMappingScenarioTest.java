package io.livezone.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.ZoneMove;

import org.junit.jupiter.api.Test;

class ZoneMappingScenarioTest {
    @Test
    void thePaperCaseGoesFromAThirdToFullQosOnceBothMigrationsLand() {
        ZoneMappingScenario.Outcome outcome = new ZoneMappingScenario().simulate();

        assertThat(outcome.firstDecision().qosBefore()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(outcome.firstDecision().qosAfter()).isEqualTo(1.0);
        assertThat(outcome.firstDecision().moves())
                .containsExactly(new ZoneMove("z2", "s2", "s1"), new ZoneMove("z3", "s3", "s1"));
        assertThat(outcome.measuredQosStart()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(outcome.measuredQosEnd()).isEqualTo(1.0);
        assertThat(outcome.migrations()).isEqualTo(2);
        assertThat(outcome.blockedMoves()).isZero();
        // First check at 30 s; both migrations run in parallel for 5.613 s; sampled every second.
        assertThat(outcome.fullQosAtS()).contains(36.0);
    }

    @Test
    void serverCapacityLimitsWhatRemappingCanReach() {
        // Room for two zones on s1: one of z2/z3 must stay away, so QoS can only reach 2/3.
        ZoneMappingScenario.Outcome two =
                new ZoneMappingScenario(ZoneMappingScenario.Config.paper(2)).simulate();
        assertThat(two.firstDecision().qosAfter()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(two.measuredQosEnd()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(two.migrations()).isEqualTo(1);

        // Room for one: z1 already holds s1 and nothing can improve.
        ZoneMappingScenario.Outcome one =
                new ZoneMappingScenario(ZoneMappingScenario.Config.paper(1)).simulate();
        assertThat(one.firstDecision().migrates()).isFalse();
        assertThat(one.measuredQosEnd()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(one.fullQosAtS()).isEmpty();
    }

    @Test
    void aPlacementBeyondCapacityIsRejected() {
        assertThatThrownBy(
                        () ->
                                new ZoneMappingScenario(ZoneMappingScenario.Config.paper(0))
                                        .simulate())
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("server s1 holds more zones than its capacity of 0");
    }
}
