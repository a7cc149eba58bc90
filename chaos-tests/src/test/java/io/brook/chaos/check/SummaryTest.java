package io.brook.chaos.check;

import static io.brook.chaos.history.testing.HistoryBuilder.Q0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.testing.HistoryBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SummaryTest {

    @Test
    void allListsEveryCheckerOnceInReportOrder() {
        List<String> names = Checkers.all().stream().map(Checker::name).toList();
        assertEquals(List.of("lost-write", "duplicate", "inconsistent-offsets", "reorder", "non-monotonic-poll",
                "committed-offset-backwards", "skipped-by-group", "lost-topic-change", "availability"), names);
        assertEquals(names.size(), Set.copyOf(names).size());
    }

    @Test
    void aGoodHistoryPassesEveryChecker() {
        HistoryBuilder h = new HistoryBuilder();
        h.send(1, Q0, "a", 0);
        h.send(1, Q0, "b", 1);
        h.read(9, Q0, "a", "b");
        Summary summary = Summary.of(Checkers.checkAll(h.build(), List.of()));
        assertTrue(summary.valid());
        assertEquals(0, summary.anomalyCount());
        assertEquals("all 9 checkers passed", summary.consoleLines().get(summary.consoleLines().size() - 1));
    }

    @Test
    void aCheckerThatThrowsGivesAnInvalidResultAndTheOthersStillRun() {
        Checker broken = new Checker() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public CheckResult check(History history, List<FaultWindow> faults) {
                throw new IllegalStateException("boom");
            }
        };
        List<CheckResult> results = Checkers.check(List.of(broken, new DuplicateChecker()),
                History.of(List.of()), List.of());
        assertFalse(results.get(0).valid());
        assertTrue(results.get(0).anomalies().get(0).startsWith("checker failed: java.lang.IllegalStateException: boom"),
                results.get(0).anomalies().get(0));
        assertTrue(results.get(1).valid());
    }

    @Test
    void theMarkdownTableHasOneRowPerCheckerWithItsScalarFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("acknowledged", 12L);
        figures.put("median-recovery-ms", 812.345);
        figures.put("max-recovery-ms", Double.NaN);
        figures.put("by-kind", Map.of("kill", 1.5));
        figures.put("recoveries", List.of("kill [1] healed at 1.000 s: ..."));
        figures.put("detail", "a|b");
        Summary summary = Summary.of(List.of(
                CheckResult.of("lost-write", List.of(), figures),
                CheckResult.of("reorder", List.of("reorder: one", "reorder: two"), Map.of("reorders", 2L))));
        assertEquals("| Checker | Valid | Anomalies | Figures |\n"
                + "|---|---|---|---|\n"
                + "| lost-write | yes | 0 | acknowledged 12, median-recovery-ms 812.3, max-recovery-ms n/a,"
                + " by-kind (kill 1.5), detail a\\|b |\n"
                + "| reorder | **no** | 2 | reorders 2 |\n", summary.markdownTable());
    }

    @Test
    void consoleLinesShowAHeadlinePerCheckerThenItsAnomaliesNotesAndLists() {
        Summary summary = Summary.of(List.of(
                CheckResult.of("lost-write", List.of(), Map.of("lost", 0L, CheckResult.NOTES, List.of("a note"))),
                CheckResult.of("reorder", List.of("r1", "r2", "r3"), Map.of("reorders", 3L))));
        assertFalse(summary.valid());
        assertEquals(List.of(
                "PASS lost-write: 0 anomalies; lost=0",
                "  note: a note",
                "FAIL reorder: 3 anomalies; reorders=3",
                "  - r1",
                "  - r2",
                "  ... and 1 more",
                "3 anomalies found by 1 of 2 checkers"), summary.consoleLines(2));
    }

    @Test
    void aBrokenHistoryIsFlaggedByTheCheckersItConcerns() {
        HistoryBuilder h = new HistoryBuilder();
        h.send(1, Q0, "a", 0);
        h.send(1, Q0, "b", 1);
        h.read(9, Q0, "b", "b");
        Summary summary = Summary.of(Checkers.checkAll(h.build(), List.of()));
        Set<String> failing = summary.results().stream().filter(r -> !r.valid()).map(CheckResult::name)
                .collect(Collectors.toSet());
        assertEquals(Set.of("lost-write", "duplicate", "inconsistent-offsets"), failing);
    }
}
