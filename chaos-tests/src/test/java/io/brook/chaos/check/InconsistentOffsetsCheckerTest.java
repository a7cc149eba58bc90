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

class InconsistentOffsetsCheckerTest {
    private final InconsistentOffsetsChecker checker = new InconsistentOffsetsChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    @Test
    void passesWhenSendsPollsAndReadsAgree() {
        h.send(1, Q0, "a", 0);
        h.send(1, Q1, "b", 0);
        h.poll(5, message(Q0, 0, "a"), message(Q1, 0, "b"));
        h.read(9, Q0, "a");
        h.read(9, Q1, "b");
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "offsets-observed", 2L);
    }

    @Test
    void flagsAnAcknowledgedOffsetTheFinalReadShowsHoldingAnotherValue() {
        Op ok = h.send(1, Q0, "a", 0);
        Op read = h.read(9, Q0, "b");
        assertOneAnomaly(check(checker, h.build()), "inconsistent offsets: queue-0 offset 0 holds",
                "\"a\" (send ok op " + ok.index() + ")", "\"b\" (read op " + read.index() + ")");
    }

    @Test
    void flagsAPollAndAReadThatDisagree() {
        Op poll = h.poll(5, message(Q0, 0, "a"), message(Q0, 1, "b"));
        Op read = h.read(9, Q0, "a", "c");
        CheckResult result = check(checker, h.build());
        assertOneAnomaly(result, "queue-0 offset 1 holds \"b\" (poll op " + poll.index() + ") and \"c\" (read op "
                + read.index() + ")");
        assertFigure(result, "inconsistent-offsets", 1L);
    }

    @Test
    void flagsTwoFinalReadsThatDisagree() {
        h.read(8, Q0, "a", "b");
        h.read(9, Q0, "a", "x");
        assertOneAnomaly(check(checker, h.build()), "queue-0 offset 1", "\"b\"", "\"x\"");
    }

    @Test
    void flagsTwoSendsAcknowledgedAtOneOffset() {
        Op a = h.send(1, Q0, "a", 4);
        Op b = h.send(2, Q0, "b", 4);
        assertOneAnomaly(check(checker, h.build()), "queue-0 offset 4 holds \"a\" (send ok op " + a.index()
                + ") and \"b\" (send ok op " + b.index() + ")");
    }

    @Test
    void aNullValueDiffersFromAValue() {
        h.poll(5, message(Q0, 0, null));
        h.read(9, Q0, "a");
        assertOneAnomaly(check(checker, h.build()), "holds null (poll op");
    }

    @Test
    void theSameOffsetInAnotherPartitionIsAnotherPosition() {
        h.read(9, Q0, "a");
        h.read(9, Q1, "b");
        assertValid(check(checker, h.build()));
    }

    @Test
    void unacknowledgedSendsClaimNoPosition() {
        h.invokeSend(1, "a");
        h.infoSend(1, "a");
        h.read(9, Q0, "b");
        assertValid(check(checker, h.build()));
    }

    @Test
    void anEmptyHistoryHasNoInconsistentOffsets() {
        assertValid(check(checker, History.of(List.of())));
    }
}
