package io.livezone.sim.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

class ResultWriterTest {
    @Test
    void csvRoundsDoublesKeepsIntegersAndQuotesText() {
        Table table =
                Table.builder("t", List.of("time_s", "n", "note"))
                        .add(0.0, 3, "plain")
                        .add(1.23456, 4L, "a, \"quoted\" note")
                        .add(Double.NaN, 5, "")
                        .build();
        assertThat(ResultWriter.csv(table))
                .isEqualTo(
                        "time_s,n,note\n"
                                + "0.000,3,plain\n"
                                + "1.235,4,\"a, \"\"quoted\"\" note\"\n"
                                + ",5,\n");
    }

    @Test
    void jsonCarriesTheSummaryAndTablesWithTheSameRounding() {
        Table table = Table.builder("t", List.of("time_s", "x")).add(1.0, 2.34567).build();
        ScenarioResult result =
                new ScenarioResult(
                        "demo",
                        9,
                        "a demo",
                        Map.of("answer", 0.123456),
                        List.of(table),
                        List.of(
                                new ChartSpec(
                                        "x",
                                        "X",
                                        "x",
                                        List.of(new ChartSpec.Series("t", "x", "x")))));
        assertThat(ResultWriter.json(result).replaceAll("\\s", ""))
                .isEqualTo(
                        "{\"scenario\":\"demo\",\"seed\":9,\"description\":\"ademo\",\"summary\":{\"answer\":0.123},"
                            + "\"tables\":{\"t\":{\"columns\":[\"time_s\",\"x\"],\"rows\":[[1.0,2.346]]}}}");
    }

    @Test
    void malformedTablesAndChartsAreRejected() {
        assertThatThrownBy(() -> Table.builder("t", List.of("a", "b")).add(1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("table t has 2 columns, got a row of 1");
        assertThatThrownBy(() -> Table.builder("t", List.of("a")).add(List.of(true)))
                .isInstanceOf(InvalidInputException.class);
        Table table = Table.builder("t", List.of("time_s")).build();
        assertThatThrownBy(
                        () ->
                                new ScenarioResult(
                                        "demo",
                                        1,
                                        "",
                                        Map.of(),
                                        List.of(table),
                                        List.of(
                                                new ChartSpec(
                                                        "c",
                                                        "C",
                                                        "y",
                                                        List.of(
                                                                new ChartSpec.Series(
                                                                        "t", "missing", "m"))))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("table t has no column missing");
    }
}
