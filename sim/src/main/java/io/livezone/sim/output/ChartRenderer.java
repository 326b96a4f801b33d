package io.livezone.sim.output;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;

/** Draws a {@link ChartSpec} as a PNG with JFreeChart, without a display. */
final class ChartRenderer {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 500;

    /** Okabe–Ito colours: distinguishable with colour-blindness and legible on white. */
    private static final Color[] PALETTE = {
        new Color(0xE69F00),
        new Color(0x0072B2),
        new Color(0x009E73),
        new Color(0xD55E00),
        new Color(0xCC79A7),
        new Color(0x56B4E9),
        new Color(0x000000),
        new Color(0xF0E442)
    };

    static {
        // The CLI and CI have no X server; without this AWT may try to open one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    void render(ScenarioResult result, ChartSpec spec, Path png) throws IOException {
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (ChartSpec.Series s : spec.series()) {
            Table table = result.table(s.table());
            double[] time = table.numbers("time_s");
            double[] values = table.numbers(s.column());
            XYSeries series = new XYSeries(s.label(), false, true);
            for (int i = 0; i < time.length; i++) {
                series.add(time[i] / 60.0, values[i]);
            }
            dataset.addSeries(series);
        }
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        spec.title(),
                        "simulated time (min)",
                        spec.yLabel(),
                        dataset,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(1.8f));
            plot.getRenderer().setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
}
