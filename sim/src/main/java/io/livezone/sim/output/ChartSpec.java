package io.livezone.sim.output;

import java.util.List;
import java.util.Objects;

/**
 * A line chart over simulated time: each series plots one numeric column of one table against its
 * {@code time_s} column. Written as {@code <scenario>-<name>.png}.
 */
public record ChartSpec(String name, String title, String yLabel, List<Series> series) {
    public ChartSpec {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(title, "title is null");
        Objects.requireNonNull(yLabel, "yLabel is null");
        series = List.copyOf(Objects.requireNonNull(series, "series is null"));
    }

    /** Column {@code column} of table {@code table}, labelled {@code label} in the legend. */
    public record Series(String table, String column, String label) {
        public Series {
            Objects.requireNonNull(table, "table is null");
            Objects.requireNonNull(column, "column is null");
            Objects.requireNonNull(label, "label is null");
        }
    }
}
