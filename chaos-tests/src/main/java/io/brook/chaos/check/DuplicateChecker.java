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
 * Finds duplicates: one value stored at two log positions, which an idempotent producer must
 * never cause (a retried batch appended twice).
 *
 * <p>Exactly: over the records of the final reads and of the polls, a value (values are unique
 * per send; null values are not compared) must appear at one (partition, offset) only; the same
 * position seen again, by another poll or the final read, is no duplicate (consumers re-read
 * after a rebalance). Polls count as well as final reads because a duplicate a consumer saw is
 * real even if a later truncation removed one copy. The positions acknowledged to sends are not
 * counted: a send acknowledged at one offset and read at another is an
 * {@link InconsistentOffsetsChecker} anomaly at the acknowledged offset.
 *
 * <p>Figures: values-observed, duplicates (values at two or more positions),
 * duplicates-in-final-reads (those the final reads alone show). Stateless and thread-safe.
 */
public final class DuplicateChecker implements Checker {
    public static final String NAME = "duplicate";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        Map<String, Map<Position, Set<String>>> positions = new LinkedHashMap<>();
        Map<String, Set<Position>> readPositions = new LinkedHashMap<>();
        for (Sighting s : Sightings.reads(history)) {
            if (s.value() != null) {
                readPositions.computeIfAbsent(s.value(), v -> new LinkedHashSet<>()).add(s.position());
            }
        }
        List<Sighting> all = new ArrayList<>(Sightings.reads(history));
        all.addAll(Sightings.polls(history));
        all.sort((a, b) -> Long.compare(a.opIndex(), b.opIndex()));
        for (Sighting s : all) {
            if (s.value() != null) {
                positions.computeIfAbsent(s.value(), v -> new TreeMap<>())
                        .computeIfAbsent(s.position(), p -> new LinkedHashSet<>()).add(s.describeSource());
            }
        }

        List<String> anomalies = new ArrayList<>();
        long inFinalReads = 0;
        for (Map.Entry<String, Map<Position, Set<String>>> e : positions.entrySet()) {
            if (e.getValue().size() < 2) {
                continue;
            }
            if (readPositions.getOrDefault(e.getKey(), Set.of()).size() > 1) {
                inFinalReads++;
            }
            List<String> where = new ArrayList<>();
            e.getValue().forEach((position, sources) -> where.add(position + " (" + String.join(", ", sources) + ")"));
            anomalies.add("duplicate: " + Describe.quote(e.getKey()) + " is stored at " + where.size()
                    + " positions: " + Describe.joinAnd(where));
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("values-observed", (long) positions.size());
        figures.put("duplicates", (long) anomalies.size());
        figures.put("duplicates-in-final-reads", inFinalReads);
        return CheckResult.of(NAME, anomalies, figures);
    }
}
