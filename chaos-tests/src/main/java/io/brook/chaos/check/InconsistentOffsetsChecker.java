package io.brook.chaos.check;

import io.brook.chaos.check.internal.Describe;
import io.brook.chaos.check.internal.Sightings;
import io.brook.chaos.check.internal.Sightings.Position;
import io.brook.chaos.check.internal.Sightings.Sighting;
import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds inconsistent offsets: one log position seen holding two different values, meaning an
 * offset was reused (a new leader overwrote what an old one had handed out, or replicas
 * diverged).
 *
 * <p>Exactly: over the positions acknowledged to OK sends, the records of polls and the records
 * of final reads, each (partition, offset) must be seen with one value only (null values, i.e.
 * tombstones, compare equal to each other). An acknowledged send whose offset the final read
 * shows holding another value is therefore flagged here (its value missing entirely is also a
 * {@link LostWriteChecker} anomaly).
 *
 * <p>Figures: offsets-observed, inconsistent-offsets. Stateless and thread-safe.
 */
public final class InconsistentOffsetsChecker implements Checker {
    public static final String NAME = "inconsistent-offsets";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        List<Sighting> all = new ArrayList<>(Sightings.acknowledgedSends(history));
        all.addAll(Sightings.polls(history));
        all.addAll(Sightings.reads(history));
        all.sort((a, b) -> Long.compare(a.opIndex(), b.opIndex()));
        Map<Position, Map<String, Set<String>>> values = new TreeMap<>();
        for (Sighting s : all) {
            values.computeIfAbsent(s.position(), p -> new LinkedHashMap<>())
                    .computeIfAbsent(s.value(), v -> new LinkedHashSet<>()).add(s.describeSource());
        }
        List<String> anomalies = new ArrayList<>();
        values.forEach((position, byValue) -> {
            if (byValue.size() > 1) {
                List<String> held = new ArrayList<>();
                byValue.forEach((value, sources) ->
                        held.add(Describe.quote(value) + " (" + String.join(", ", sources) + ")"));
                anomalies.add("inconsistent offsets: " + position + " holds " + Describe.joinAnd(held));
            }
        });
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("offsets-observed", (long) values.size());
        figures.put("inconsistent-offsets", (long) anomalies.size());
        return CheckResult.of(NAME, anomalies, figures);
    }
}
