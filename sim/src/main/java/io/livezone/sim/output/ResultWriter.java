package io.livezone.sim.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.livezone.core.EnvironmentException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link ScenarioResult} to a folder: {@code <scenario>-<table>.csv} per table, {@code
 * <scenario>.json} with the summary and every table, and {@code <scenario>-<chart>.png} per chart.
 * Numbers are rounded to 3 decimals in both CSV and JSON, so equal runs give byte-identical files.
 */
public final class ResultWriter {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ChartRenderer charts = new ChartRenderer();

    /** Writes all files and returns their paths, in the order written. */
    public List<Path> write(ScenarioResult result, Path outDir) {
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(outDir);
            for (Table table : result.tables()) {
                Path csv = outDir.resolve(result.scenario() + "-" + table.name() + ".csv");
                Files.writeString(csv, csv(table), StandardCharsets.UTF_8);
                written.add(csv);
            }
            Path json = outDir.resolve(result.scenario() + ".json");
            Files.writeString(json, json(result), StandardCharsets.UTF_8);
            written.add(json);
            for (ChartSpec chart : result.charts()) {
                Path png = outDir.resolve(result.scenario() + "-" + chart.name() + ".png");
                charts.render(result, chart, png);
                written.add(png);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new EnvironmentException(
                    "cannot write simulation output to " + outDir + ": " + e.getMessage(), e);
        }
        return written;
    }

    public static String csv(Table table) {
        StringBuilder out = new StringBuilder(String.join(",", table.columns())).append('\n');
        for (List<Object> row : table.rows()) {
            for (int c = 0; c < row.size(); c++) {
                if (c > 0) {
                    out.append(',');
                }
                out.append(csvCell(row.get(c)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    public static String json(ScenarioResult result) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("scenario", result.scenario());
        root.put("seed", result.seed());
        root.put("description", result.description());
        Map<String, Object> summary = new LinkedHashMap<>();
        result.summary().forEach((k, v) -> summary.put(k, jsonValue(v)));
        root.put("summary", summary);
        Map<String, Object> tables = new LinkedHashMap<>();
        for (Table table : result.tables()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("columns", table.columns());
            List<List<Object>> rows = new ArrayList<>();
            for (List<Object> row : table.rows()) {
                rows.add(row.stream().map(ResultWriter::jsonValue).toList());
            }
            t.put("rows", rows);
            tables.put(table.name(), t);
        }
        root.put("tables", tables);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csvCell(Object cell) {
        if (cell instanceof Double d) {
            return Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "";
        }
        if (cell instanceof String s && (s.contains(",") || s.contains("\""))) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return cell.toString();
    }

    private static Object jsonValue(Object value) {
        if (value instanceof Double d) {
            // Rounded like the CSV; NaN and infinities are not JSON numbers.
            return Double.isFinite(d) ? Math.round(d * 1000) / 1000.0 : null;
        }
        return value;
    }
}
