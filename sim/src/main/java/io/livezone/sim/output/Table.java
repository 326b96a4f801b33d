package io.livezone.sim.output;

import io.livezone.core.InvalidInputException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A named table of simulation output — a time series or an event log. Cells are numbers ({@link
 * Integer}, {@link Long}, {@link Double}) or strings; each table becomes one CSV file and one entry
 * of the scenario's JSON.
 */
public record Table(String name, List<String> columns, List<List<Object>> rows) {
    public Table {
        Objects.requireNonNull(name, "name is null");
        columns = List.copyOf(Objects.requireNonNull(columns, "columns is null"));
        rows = rows.stream().map(List::copyOf).toList();
        if (columns.isEmpty() || new HashSet<>(columns).size() != columns.size()) {
            throw new InvalidInputException(
                    "table " + name + " needs distinct column names, got " + columns);
        }
    }

    public static Builder builder(String name, List<String> columns) {
        return new Builder(name, columns);
    }

    public int columnIndex(String column) {
        int index = columns.indexOf(column);
        if (index < 0) {
            throw new InvalidInputException("table " + name + " has no column " + column);
        }
        return index;
    }

    /** A numeric column as doubles. */
    public double[] numbers(String column) {
        int index = columnIndex(column);
        double[] values = new double[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            values[r] = ((Number) rows.get(r).get(index)).doubleValue();
        }
        return values;
    }

    /** Collects rows in order; {@link #build} freezes them. */
    public static final class Builder {
        private final String name;
        private final List<String> columns;
        private final List<List<Object>> rows = new ArrayList<>();

        private Builder(String name, List<String> columns) {
            this.name = Objects.requireNonNull(name, "name is null");
            this.columns = List.copyOf(columns);
        }

        public Builder add(List<?> row) {
            if (row.size() != columns.size()) {
                throw new InvalidInputException(
                        "table "
                                + name
                                + " has "
                                + columns.size()
                                + " columns, got a row of "
                                + row.size());
            }
            for (Object cell : row) {
                if (!(cell instanceof Number || cell instanceof String)) {
                    throw new InvalidInputException(
                            "table " + name + ": cells are numbers or strings, got " + cell);
                }
            }
            rows.add(List.copyOf(row));
            return this;
        }

        public Builder add(Object... row) {
            return add(List.of(row));
        }

        public int size() {
            return rows.size();
        }

        public Table build() {
            return new Table(name, columns, rows);
        }
    }
}
