package io.livezone.sim.output;

import io.livezone.core.InvalidInputException;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one scenario run produced: headline figures ({@code summary}, in insertion order),
 * time series and event logs ({@code tables}) and the charts to draw from them.
 */
public record ScenarioResult(
        String scenario,
        long seed,
        String description,
        Map<String, Object> summary,
        List<Table> tables,
        List<ChartSpec> charts) {
    public ScenarioResult {
        Objects.requireNonNull(scenario, "scenario is null");
        Objects.requireNonNull(description, "description is null");
        summary = Collections.unmodifiableMap(new LinkedHashMap<>(summary));
        tables = List.copyOf(tables);
        charts = List.copyOf(charts);
        Set<String> names = new HashSet<>();
        for (Table table : tables) {
            if (!names.add(table.name())) {
                throw new InvalidInputException(
                        "scenario " + scenario + " has two tables named " + table.name());
            }
        }
        for (ChartSpec chart : charts) {
            for (ChartSpec.Series series : chart.series()) {
                find(scenario, tables, series.table()).columnIndex(series.column());
            }
        }
    }

    public Table table(String name) {
        return find(scenario, tables, name);
    }

    private static Table find(String scenario, List<Table> tables, String name) {
        return tables.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () ->
                                new InvalidInputException(
                                        "scenario " + scenario + " has no table " + name));
    }
}
