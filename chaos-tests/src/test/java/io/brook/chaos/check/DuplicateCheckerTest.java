package io.brook.chaos.check;

import static io.brook.chaos.check.CheckAssertions.assertFigure;
import static io.brook.chaos.check.CheckAssertions.assertOneAnomaly;
import static io.brook.chaos.check.CheckAssertions.assertValid;
import static io.brook.chaos.check.CheckAssertions.check;
import static io.brook.chaos.history.testing.HistoryBuilder.Q0;
import static io.brook.chaos.history.testing.HistoryBuilder.Q1;
import static io.brook.chaos.history.testing.HistoryBuilder.message;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.testing.HistoryBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DuplicateCheckerTest {
    private final DuplicateChecker checker = new DuplicateChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    @Test
    void passesWhenEveryValueHasOnePosition() {
        h.send(1, Q0, "a", 0);
        h.send(1, Q0, "b", 1);
        h.read(9, Q0, "a", "b");
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "values-observed", 2L);
    }

    @Test
    void seeingOnePositionAgainIsNoDuplicate() {
        h.poll(5, message(Q0, 0, "a"), message(Q0, 1, "b"));
        h.poll(6, message(Q0, 1, "b"));
        h.poll(5, message(Q0, 1, "b"));
        h.read(9, Q0, "a", "b");
        assertValid(check(checker, h.build()));
    }

    @Test
    void flagsAValueAtTwoOffsetsOfTheFinalRead() {
        h.send(1, Q0, "a", 0);
        Op read = h.read(9, Q0, "a", "b", "a");
        CheckResult result = check(checker, h.build());
        assertOneAnomaly(result, "duplicate: \"a\" is stored at 2 positions",
                "queue-0 offset 0 (read op " + read.index() + ") and queue-0 offset 2 (read op " + read.index() + ")");
        assertFigure(result, "duplicates", 1L);
        assertFigure(result, "duplicates-in-final-reads", 1L);
    }

    @Test
    void flagsAValueAPollSawAtAnotherOffset() {
        Op poll = h.poll(5, message(Q0, 3, "a"));
        Op read = h.read(9, Q0, "a");
        CheckResult result = check(checker, h.build());
        assertOneAnomaly(result, "queue-0 offset 0 (read op " + read.index() + ")",
                "queue-0 offset 3 (poll op " + poll.index() + ")");
        assertFigure(result, "duplicates-in-final-reads", 0L);
    }

    @Test
    void flagsAValueInTwoPartitions() {
        h.read(9, Q0, "a");
        h.read(9, Q1, "x", "a");
        assertOneAnomaly(check(checker, h.build()), "queue-0 offset 0", "queue-1 offset 1");
    }

    @Test
    void listsEveryPositionOfAValueAndEveryOpThatSawIt() {
        Op first = h.poll(5, message(Q0, 0, "a"), message(Q0, 1, "a"));
        Op second = h.poll(6, message(Q0, 1, "a"), message(Q0, 2, "a"));
        assertOneAnomaly(check(checker, h.build()), "at 3 positions",
                "queue-0 offset 0 (poll op " + first.index() + "), queue-0 offset 1 (poll op " + first.index()
                        + ", poll op " + second.index() + ") and queue-0 offset 2 (poll op " + second.index() + ")");
    }

    @Test
    void nullValuesAreNotCompared() {
        h.read(9, Q0, null, "a", null);
        assertValid(check(checker, h.build()));
    }

    @Test
    void acknowledgedPositionsAreLeftToInconsistentOffsets() {
        h.send(1, Q0, "a", 5);
        h.read(9, Q0, "a");
        assertValid(check(checker, h.build()));
    }

    @Test
    void anEmptyHistoryHasNoDuplicates() {
        assertValid(check(checker, History.of(List.of())));
    }
}
