package io.livezone.planner;

import static io.livezone.planner.Plans.MB;
import static io.livezone.planner.Plans.MODEL;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.livezone.core.InvalidInputException;
import io.livezone.core.MigrationOptions;

import org.junit.jupiter.api.Test;

import java.util.List;

class MigrationTimeModelTest {
    private static final double EPS = 1e-9;

    @Test
    void preCopyRoundsShrinkGeometricallyUntilTheRestFitsTheDowntime() {
        // 100 MB at 10 MB/s, 1 MB/s dirty: rounds of 100 and 10 MB (D/B = 1/10), then 1 MB left,
        // which fits 10 MB/s × 1/8 s: 111 MB in 11.1 s, plus 1 s setup.
        MigrationEstimate e = MODEL.estimate(10 * MB, 100 * MB, 0, MB, 0);

        assertThat(e.totalSeconds()).isCloseTo(12.1, within(EPS));
        assertThat(e.setupSeconds()).isCloseTo(1, within(EPS));
        assertThat(e.rounds()).isEqualTo(2);
        assertThat(e.bytesSent()).isCloseTo(111 * MB, within(1e-3));
        assertThat(e.downtimeSeconds()).isCloseTo(0.1, within(EPS));
        assertThat(e.throttlePercent()).isZero();
        assertThat(e.converged()).isTrue();
    }

    @Test
    void diskRttAndEfficiencyAddUp() {
        assertThat(MODEL.estimate(10 * MB, 100 * MB, 50 * MB, 0, 0).totalSeconds())
                .isCloseTo(16, within(EPS));
        MigrationTimeModel wan = new MigrationTimeModel(1.0, 4, 0.5, 0.125, true);
        // 4 round trips of 100 ms, and half the line rate.
        assertThat(wan.estimate(10 * MB, 100 * MB, 0, 0, 0.1).totalSeconds())
                .isCloseTo(1.4 + 20, within(EPS));
        assertThat(wan.setupTime(0.1)).isCloseTo(1.4, within(EPS));
    }

    @Test
    void autoConvergeThrottlesAZoneThatDirtiesAsFastAsTheLink() {
        MigrationEstimate e = MODEL.estimate(10 * MB, 100 * MB, 0, 10 * MB, 0);

        assertThat(e.throttlePercent()).isGreaterThanOrEqualTo(PreCopy.THROTTLE_INITIAL);
        assertThat(e.converged()).isTrue();
        assertThat(e.totalSeconds()).isGreaterThan(30);
    }

    @Test
    void withoutAutoConvergeSuchAMigrationNeverConverges() {
        MigrationTimeModel noThrottle = new MigrationTimeModel(1.0, 0, 1.0, 0.125, false);

        MigrationEstimate e = noThrottle.estimate(10 * MB, 100 * MB, 0, 10 * MB, 0);

        assertThat(e.converged()).isFalse();
        assertThat(e.rounds()).isEqualTo(PreCopy.MAX_ROUNDS);
        assertThat(e.throttlePercent()).isZero();
    }

    @Test
    void defaultsFollowLiveZonesMigrationOptions() {
        assertThat(MigrationTimeModel.DEFAULT.downtimeLimitSeconds())
                .isCloseTo(
                        MigrationOptions.DEFAULT.downtimeLimit().toMillis() / 1000.0, within(EPS));
        assertThat(MigrationTimeModel.DEFAULT.autoConverge()).isTrue();
    }

    @Test
    void fitRecoversSetupAndEfficiencyFromRunsOfDifferentSizes() {
        // Truth: 2 s setup, 80% of 10 MB/s, plus 3 round trips of 50 ms.
        MigrationTimeModel base = new MigrationTimeModel(1.0, 3, 1.0, 0.125, true);
        List<MeasuredMigration> runs =
                List.of(
                        new MeasuredMigration(10 * MB, 100 * MB, 2 + 0.15 + 12.5, 0.05),
                        new MeasuredMigration(10 * MB, 200 * MB, 2 + 0.15 + 25, 0.05),
                        new MeasuredMigration(10 * MB, 400 * MB, 2 + 0.15 + 50, 0.05));

        MigrationTimeModel fitted = MigrationTimeModel.fit(runs, base);

        assertThat(fitted.setupSeconds()).isCloseTo(2, within(1e-6));
        assertThat(fitted.efficiency()).isCloseTo(0.8, within(1e-9));
        assertThat(fitted.handshakeRoundTrips()).isEqualTo(3);
    }

    @Test
    void fitFromOneRunKeepsTheBaseSetup() {
        MigrationTimeModel fitted =
                MigrationTimeModel.fit(
                        List.of(new MeasuredMigration(10 * MB, 100 * MB, 21, 0)), MODEL);

        assertThat(fitted.setupSeconds()).isEqualTo(1);
        assertThat(fitted.efficiency()).isCloseTo(0.5, within(EPS));
    }

    @Test
    void fitRejectsRunsItCannotExplain() {
        assertThatThrownBy(() -> MigrationTimeModel.fit(List.of(), MODEL))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least one measured migration");
        assertThatThrownBy(
                        () ->
                                MigrationTimeModel.fit(
                                        List.of(new MeasuredMigration(10 * MB, 100 * MB, 0.5, 0)),
                                        MODEL))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no longer than the 1.0 s setup alone");
        assertThatThrownBy(() -> new MeasuredMigration(0, 1, 1, 0))
                .hasMessageContaining("nominal bandwidth must be > 0");
    }

    @Test
    void rejectsBadConstantsAndInputs() {
        assertThatThrownBy(() -> new MigrationTimeModel(-1, 0, 1, 0.1, true))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("setup time must be >= 0");
        assertThatThrownBy(() -> new MigrationTimeModel(1, 0, 0, 0.1, true))
                .hasMessageContaining("efficiency must be > 0");
        assertThatThrownBy(() -> new MigrationTimeModel(1, 0, 1, 0, true))
                .hasMessageContaining("downtime limit must be > 0");
        assertThatThrownBy(() -> MODEL.estimate(0, 100, 0, 0, 0))
                .hasMessageContaining("bandwidth must be > 0");
        assertThatThrownBy(() -> MODEL.estimate(10, 100, 0, -1, 0))
                .hasMessageContaining("dirty rate");
    }
}
