package io.brook.chaos.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link Checker} found. Immutable.
 *
 * @param name the checker's name
 * @param valid whether the history is free of the anomaly
 * @param anomalies one human-readable line per anomaly found, naming the ops by index
 * @param figures counts and measurements, in a fixed order per checker: numbers (Long, Double;
 *     NaN when there was nothing to measure), strings, and at the end lists or maps for the
 *     report. A checker may add {@link #NOTES}: remarks that are no anomaly.
 */
public record CheckResult(String name, boolean valid, List<String> anomalies, Map<String, Object> figures) {
    /** The figure holding a {@code List<String>} of remarks that are no anomaly. */
    public static final String NOTES = "notes";

    public CheckResult {
        Objects.requireNonNull(name, "name");
        anomalies = List.copyOf(anomalies);
        Map<String, Object> ordered = new LinkedHashMap<>();
        figures.forEach((key, value) -> ordered.put(Objects.requireNonNull(key), Objects.requireNonNull(value, key)));
        figures = Collections.unmodifiableMap(ordered);
    }

    /** A result that is valid exactly when no anomaly was found. */
    public static CheckResult of(String name, List<String> anomalies, Map<String, Object> figures) {
        return new CheckResult(name, anomalies.isEmpty(), anomalies, figures);
    }

    /** The checker's remarks that are no anomaly (the {@link #NOTES} figure), or none. */
    @SuppressWarnings("unchecked")
    public List<String> notes() {
        Object notes = figures.get(NOTES);
        return notes instanceof List<?> list ? (List<String>) list : List.of();
    }
}
