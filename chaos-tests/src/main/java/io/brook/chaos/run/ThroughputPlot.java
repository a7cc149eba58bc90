package io.brook.chaos.run;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.Operation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The run's plot: acknowledged sends per second and send latency (median and max per second, of
 * the sends that completed in that second) over time, with every fault window shaded and labelled.
 */
final class ThroughputPlot {
    private ThroughputPlot() {}

    static void write(History history, List<FaultWindow> faults, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        TreeMap<Long, Integer> acked = new TreeMap<>();
        TreeMap<Long, List<Long>> latencies = new TreeMap<>();
        long lastSecond = 0;
        for (Operation operation : history.operations()) {
            if (!Op.SEND.equals(operation.f()) || operation.invocation() == null || operation.completion() == null) {
                continue;
            }
            long second = TimeUnit.NANOSECONDS.toSeconds(operation.completion().timeNanos());
            lastSecond = Math.max(lastSecond, second);
            if (operation.outcome() == Op.Type.OK) {
                acked.merge(second, 1, Integer::sum);
                latencies.computeIfAbsent(second, s -> new ArrayList<>()).add(
                        operation.completion().timeNanos() - operation.invocation().timeNanos());
            }
        }
        XYSeries throughput = new XYSeries("acknowledged sends / s");
        XYSeries median = new XYSeries("median latency (ms)");
        XYSeries max = new XYSeries("max latency (ms)");
        for (long s = 0; s <= lastSecond; s++) {
            throughput.add(s, acked.getOrDefault(s, 0));
            List<Long> l = latencies.get(s);
            if (l != null && !l.isEmpty()) {
                l.sort(null);
                median.add(s, Math.max(0.1, l.get(l.size() / 2) / 1e6));
                max.add(s, Math.max(0.1, l.get(l.size() - 1) / 1e6));
            }
        }
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(new NumberAxis("time since start (s)"));
        NumberAxis rate = new NumberAxis("acknowledged sends / s");
        plot.setRangeAxis(0, rate);
        plot.setDataset(0, new XYSeriesCollection(throughput));
        XYLineAndShapeRenderer rateRenderer = new XYLineAndShapeRenderer(true, false);
        rateRenderer.setSeriesPaint(0, new Color(0x1f, 0x77, 0xb4));
        plot.setRenderer(0, rateRenderer);
        LogarithmicAxis latency = new LogarithmicAxis("latency (ms, log)");
        latency.setAllowNegativesFlag(false);
        plot.setRangeAxis(1, latency);
        XYSeriesCollection latencySeries = new XYSeriesCollection();
        latencySeries.addSeries(median);
        latencySeries.addSeries(max);
        plot.setDataset(1, latencySeries);
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer latencyRenderer = new XYLineAndShapeRenderer(true, false);
        latencyRenderer.setSeriesPaint(0, new Color(0x2c, 0xa0, 0x2c));
        latencyRenderer.setSeriesPaint(1, new Color(0xd6, 0x27, 0x28));
        latencyRenderer.setSeriesStroke(1, new BasicStroke(1f));
        plot.setRenderer(1, latencyRenderer);
        for (FaultWindow fault : faults) {
            double start = fault.startNanos() / 1e9;
            double end = (fault.healed() ? fault.endNanos() : TimeUnit.SECONDS.toNanos(lastSecond + 1)) / 1e9;
            IntervalMarker marker = new IntervalMarker(start, end, shade(fault.kind()));
            marker.setLabel(fault.kind() + " " + fault.targets());
            marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(marker, Layer.BACKGROUND);
        }
        JFreeChart chart = new JFreeChart("Brook chaos run: throughput and latency, faults shaded",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1400, 600);
    }

    private static Color shade(String kind) {
        if (kind.startsWith("kill")) {
            return new Color(255, 120, 120, 70);
        }
        if (kind.startsWith("pause")) {
            return new Color(255, 200, 80, 70);
        }
        return new Color(120, 120, 255, 70);
    }
}
