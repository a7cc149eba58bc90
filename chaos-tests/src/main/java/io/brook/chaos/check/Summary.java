package io.brook.chaos.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The checkers' results rendered for people: a Markdown table for the report and CHAOS.md, and
 * lines for the console. Immutable.
 *
 * <p>The table and the headline lines show the scalar figures (numbers and strings) and maps of
 * numbers inline; lists (per-fault recoveries, notes) appear only in the console detail.
 */
public final class Summary {
    private static final int DEFAULT_ANOMALIES_SHOWN = 10;

    private final List<CheckResult> results;

    private Summary(List<CheckResult> results) {
        this.results = List.copyOf(results);
    }

    /** A summary of {@code results}, in their order. */
    public static Summary of(List<CheckResult> results) {
        return new Summary(results);
    }

    /** The results summarised. */
    public List<CheckResult> results() {
        return results;
    }

    /** Whether every checker found its history valid. */
    public boolean valid() {
        return results.stream().allMatch(CheckResult::valid);
    }

    /** How many anomalies were found in all. */
    public long anomalyCount() {
        return results.stream().mapToLong(r -> r.anomalies().size()).sum();
    }

    /**
     * A Markdown table, one row per checker:
     * <pre>
     * | Checker | Valid | Anomalies | Figures |
     * |---|---|---|---|
     * | lost-write | yes | 0 | acknowledged 1200, lost 0, ... |
     * </pre>
     */
    public String markdownTable() {
        StringBuilder out = new StringBuilder("| Checker | Valid | Anomalies | Figures |\n|---|---|---|---|\n");
        for (CheckResult r : results) {
            out.append("| ").append(cell(r.name())).append(" | ").append(r.valid() ? "yes" : "**no**").append(" | ")
                    .append(r.anomalies().size()).append(" | ").append(cell(figures(r.figures(), " "))).append(" |\n");
        }
        return out.toString();
    }

    /** {@link #consoleLines(int)} with at most 10 anomalies shown per checker. */
    public List<String> consoleLines() {
        return consoleLines(DEFAULT_ANOMALIES_SHOWN);
    }

    /**
     * One headline per checker ("PASS lost-write: 0 anomalies; acknowledged=1200 lost=0 ..."),
     * each followed by up to {@code maxAnomaliesShown} of its anomalies, its notes and its list
     * figures, indented; then one overall line.
     */
    public List<String> consoleLines(int maxAnomaliesShown) {
        List<String> lines = new ArrayList<>();
        for (CheckResult r : results) {
            lines.add((r.valid() ? "PASS " : "FAIL ") + r.name() + ": " + r.anomalies().size() + " anomal"
                    + (r.anomalies().size() == 1 ? "y" : "ies") + "; " + figures(r.figures(), "="));
            int shown = Math.min(maxAnomaliesShown, r.anomalies().size());
            for (int i = 0; i < shown; i++) {
                lines.add("  - " + r.anomalies().get(i));
            }
            if (r.anomalies().size() > shown) {
                lines.add("  ... and " + (r.anomalies().size() - shown) + " more");
            }
            r.figures().forEach((name, value) -> {
                if (value instanceof List<?> list) {
                    String label = name.equals(CheckResult.NOTES) ? "note" : name;
                    list.forEach(item -> lines.add("  " + label + ": " + item));
                }
            });
        }
        lines.add(valid() ? "all " + results.size() + " checkers passed"
                : anomalyCount() + " anomalies found by " + results.stream().filter(r -> !r.valid()).count() + " of "
                        + results.size() + " checkers");
        return List.copyOf(lines);
    }

    /** "acknowledged=1200 lost=0" (with {@code "="}) or "acknowledged 1200, lost 0" (with {@code " "}). */
    private static String figures(Map<String, Object> figures, String separator) {
        List<String> parts = new ArrayList<>();
        figures.forEach((name, value) -> {
            if (value instanceof List<?>) {
                return;
            }
            if (value instanceof Map<?, ?> map) {
                if (map.isEmpty()) {
                    return;
                }
                List<String> entries = new ArrayList<>();
                map.forEach((k, v) -> entries.add(k + separator + format(v)));
                parts.add(name + separator + "(" + String.join(separator.equals("=") ? " " : ", ", entries) + ")");
            } else {
                parts.add(name + separator + format(value));
            }
        });
        return String.join(separator.equals("=") ? " " : ", ", parts);
    }

    private static String format(Object value) {
        if (value instanceof Double d) {
            return d.isNaN() ? "n/a" : String.format(Locale.ROOT, "%.1f", d);
        }
        if (value instanceof Float f) {
            return f.isNaN() ? "n/a" : String.format(Locale.ROOT, "%.1f", f);
        }
        return String.valueOf(value);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
