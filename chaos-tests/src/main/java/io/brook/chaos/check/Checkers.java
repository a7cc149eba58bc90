package io.brook.chaos.check;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The standard set of checkers, and running a set over one history. Stateless. */
public final class Checkers {
    private Checkers() {}

    /**
     * Every checker with its defaults, in report order: lost write, duplicate, inconsistent
     * offsets, reorder, non-monotonic poll, committed offset backwards, skipped by group, lost
     * topic change, availability (unbounded: figures only).
     */
    public static List<Checker> all() {
        return List.of(new LostWriteChecker(), new DuplicateChecker(), new InconsistentOffsetsChecker(),
                new ReorderChecker(), new NonMonotonicPollChecker(), new CommittedOffsetBackwardsChecker(),
                new SkippedByGroupChecker(), new LostTopicChangeChecker(), new AvailabilityChecker());
    }

    /** Runs {@link #all()} over {@code history}. */
    public static List<CheckResult> checkAll(History history, List<FaultWindow> faults) {
        return check(all(), history, faults);
    }

    /**
     * Runs {@code checkers} over {@code history}, in order. A checker that throws yields an
     * invalid result saying so, and the others still run: one broken checker must not hide what
     * the rest found.
     */
    public static List<CheckResult> check(List<Checker> checkers, History history, List<FaultWindow> faults) {
        List<CheckResult> results = new ArrayList<>();
        for (Checker checker : checkers) {
            try {
                results.add(checker.check(history, faults));
            } catch (RuntimeException e) {
                results.add(new CheckResult(checker.name(), false,
                        List.of("checker failed: " + e + (e.getStackTrace().length > 0
                                ? " at " + e.getStackTrace()[0] : "")),
                        Map.of()));
            }
        }
        return List.copyOf(results);
    }
}
