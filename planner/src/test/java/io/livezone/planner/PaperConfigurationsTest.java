package io.livezone.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class PaperConfigurationsTest {
    private static final long MIB = 1L << 20;
    private static final MigrationTimeModel MODEL = MigrationTimeModel.DEFAULT;

    @Test
    void definesTheFourTestbedConfigurations() {
        List<PaperConfigurations.Configuration> all = PaperConfigurations.all(256 * MIB, MIB);

        assertThat(all)
                .extracting(PaperConfigurations.Configuration::name)
                .containsExactly("2z/2s", "2z/3s", "3z/3s", "4z/4s");
        assertThat(all)
                .extracting(c -> c.input().moves().size(), c -> c.input().hosts().size())
                .containsExactly(tuple(2, 2), tuple(2, 3), tuple(3, 3), tuple(4, 4));
        PlanInput cycle = all.get(2).input();
        assertThat(cycle.hosts()).allMatch(h -> h.nicBytesPerSec() == 12_500_000);
        assertThat(cycle.links()).hasSize(3).allMatch(l -> l.rttMillis() == 100);
        assertThat(cycle.moves())
                .extracting(Move::toString)
                .containsExactly("z1 s1→s2", "z2 s2→s3", "z3 s3→s1");
    }

    @Test
    void handCheckedMakespansWithoutDirtyPages() {
        // 256 MiB at 94% of 100 Mbit/s = 22.8456 s, after 1 s setup + 4 × 100 ms handshakes.
        double transfer = 268_435_456 / (12_500_000 * 0.94);
        Map<String, PaperConfigurations.Prediction> byName = predictions(256 * MIB, 0);

        // Swap: both directions at full speed at once.
        assertThat(byName.get("2z/2s").makespanSeconds().get("auto"))
                .isCloseTo(1.4 + transfer, within(1e-9));
        // Two to one: parallel shares s3's inbound NIC; sequential pays setup twice.
        assertThat(byName.get("2z/3s").makespanSeconds().get("parallel"))
                .isCloseTo(1.4 + 2 * transfer, within(1e-9));
        assertThat(byName.get("2z/3s").makespanSeconds().get("sequential"))
                .isCloseTo(2 * (1.4 + transfer), within(1e-9));
        // Cycle, one migration per server: three in a row.
        assertThat(byName.get("3z/3s").makespanSeconds().get("sequential"))
                .isCloseTo(3 * (1.4 + transfer), within(1e-9));
    }

    @Test
    void autoIsNeverWorseThanEitherBaselineAndWithinFifteenPercentOfTheBound() {
        for (long memory : new long[] {128 * MIB, 256 * MIB, 1024 * MIB}) {
            for (long dirty : new long[] {0, MIB / 4, MIB, 4 * MIB}) {
                for (PaperConfigurations.Prediction p :
                        PaperConfigurations.predict(memory, dirty, MODEL)) {
                    Map<String, Double> m = p.makespanSeconds();
                    String what = p.name() + " " + memory / MIB + " MiB, " + dirty + " B/s dirty";
                    double best = Math.min(m.get("parallel"), m.get("sequential"));
                    assertThat(m.get("auto")).as(what).isLessThanOrEqualTo(best * (1 + 1e-12));
                    assertThat(m.get("auto"))
                            .as(what)
                            .isLessThanOrEqualTo(1.15 * p.lowerBound().seconds())
                            .isGreaterThanOrEqualTo(p.lowerBound().seconds() * (1 - 1e-12));
                }
            }
        }
    }

    @Test
    void autoBeatsBothBaselinesOnTheMixedConfigurationWhenZonesDirtyMemory() {
        Map<String, Double> m = predictions(256 * MIB, MIB).get("4z/4s").makespanSeconds();

        assertThat(m.get("auto")).isLessThan(m.get("parallel")).isLessThan(m.get("sequential"));
    }

    @Test
    void randomConfigurationsHaveMoreZonesThanServersAndMixedDirections() {
        for (long seed = 1; seed <= 20; seed++) {
            for (int index = 1; index <= 3; index++) {
                PaperConfigurations.Configuration c =
                        PaperConfigurations.random(index, seed, 160 * MIB, 0);
                PlanInput input = c.input();
                String what = c.name() + " seed " + seed + ": " + c.description();

                assertThat(c.name()).isEqualTo("r" + index);
                assertThat(input.moves().size())
                        .as(what)
                        .isGreaterThan(input.hosts().size())
                        .isLessThanOrEqualTo(PaperConfigurations.RANDOM_MAX_ZONES);
                assertThat(input.moves().stream().map(Move::source).distinct().count())
                        .as(what)
                        .isGreaterThanOrEqualTo(2);
                assertThat(
                                input.moves().stream()
                                        .map(m -> m.source() + m.destination())
                                        .distinct()
                                        .count())
                        .as(what)
                        .isGreaterThanOrEqualTo(2);
                assertThat(input.hosts()).allMatch(h -> h.site().equals(h.id()));
                assertThat(PaperConfigurations.random(index, seed, 160 * MIB, 0)).isEqualTo(c);
            }
        }
        assertThat(
                        java.util.stream.LongStream.rangeClosed(1, 20)
                                .mapToObj(
                                        seed ->
                                                PaperConfigurations.random(1, seed, MIB, 0)
                                                        .description()
                                                        .replaceFirst("seed \\d+", ""))
                                .distinct()
                                .count())
                .as("seeds give different plans")
                .isGreaterThan(5);
    }

    private static Map<String, PaperConfigurations.Prediction> predictions(
            long memory, long dirty) {
        Map<String, PaperConfigurations.Prediction> byName = new LinkedHashMap<>();
        for (PaperConfigurations.Prediction p : PaperConfigurations.predict(memory, dirty, MODEL)) {
            byName.put(p.name(), p);
        }
        return byName;
    }
}
