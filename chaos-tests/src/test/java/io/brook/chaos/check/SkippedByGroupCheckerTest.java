package io.brook.chaos.check;

import static io.brook.chaos.check.CheckAssertions.assertFigure;
import static io.brook.chaos.check.CheckAssertions.assertOneAnomaly;
import static io.brook.chaos.check.CheckAssertions.assertValid;
import static io.brook.chaos.check.CheckAssertions.check;
import static io.brook.chaos.history.testing.HistoryBuilder.Q0;
import static io.brook.chaos.history.testing.HistoryBuilder.Q1;
import static io.brook.chaos.history.testing.HistoryBuilder.message;

import io.brook.chaos.history.testing.HistoryBuilder;
import org.junit.jupiter.api.Test;

class SkippedByGroupCheckerTest {
    private final SkippedByGroupChecker checker = new SkippedByGroupChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    @Test
    void passesWhenEveryRecordBelowTheCommittedOffsetWasPolled() {
        h.assign(100, "g", Q0);
        h.assign(101, "g", Q1);
        h.poll(100, message(Q0, 0, "a"), message(Q0, 1, "b"));
        h.poll(101, message(Q1, 0, "x"));
        h.revoke(100, "g", Q0);
        h.assign(101, "g", Q0);
        h.poll(101, message(Q0, 1, "b"), message(Q0, 2, "c"));
        h.committed(200, "g", Q0, 3);
        h.committed(200, "g", Q1, 1);
        h.read(1000, Q0, "a", "b", "c", "d");
        h.read(1000, Q1, "x", "y");
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "records-below-committed", 4L);
    }

    @Test
    void flagsARecordBelowTheCommittedOffsetThatNoMemberPolled() {
        h.assign(100, "g", Q0);
        h.poll(100, message(Q0, 0, "a"));
        h.poll(100, message(Q0, 2, "c"));
        h.committed(200, "g", Q0, 3);
        h.read(1000, Q0, "a", "b", "c");
        assertOneAnomaly(check(checker, h.build()), "skipped: group g, queue-0 offset 1 (value b) is below the"
                + " committed offset 3");
    }

    @Test
    void pollsOfAProcessOutsideTheGroupDoNotCount() {
        h.assign(100, "g", Q0);
        h.poll(100, message(Q0, 0, "a"));
        h.poll(7, message(Q0, 1, "b")); // process 7 never joined g
        h.committed(200, "g", Q0, 2);
        h.read(1000, Q0, "a", "b");
        assertOneAnomaly(check(checker, h.build()), "offset 1 (value b)");
    }

    @Test
    void onlyTheLastCommittedReadCounts() {
        h.assign(100, "g", Q0);
        h.poll(100, message(Q0, 0, "a"));
        h.committed(200, "g", Q0, 2); // a committed read the group later went back from is another checker's business
        h.committed(200, "g", Q0, 1);
        h.read(1000, Q0, "a", "b");
        assertValid(check(checker, h.build()));
    }

    @Test
    void withoutACommittedReadNothingIsChecked() {
        h.assign(100, "g", Q0);
        h.read(1000, Q0, "a", "b");
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "groups", 0L);
    }
}
