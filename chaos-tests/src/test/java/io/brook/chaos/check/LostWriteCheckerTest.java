package io.brook.chaos.check;

import static io.brook.chaos.check.CheckAssertions.assertFigure;
import static io.brook.chaos.check.CheckAssertions.assertOneAnomaly;
import static io.brook.chaos.check.CheckAssertions.assertValid;
import static io.brook.chaos.check.CheckAssertions.check;
import static io.brook.chaos.history.testing.HistoryBuilder.Q0;
import static io.brook.chaos.history.testing.HistoryBuilder.Q1;
import static io.brook.chaos.history.testing.HistoryBuilder.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.testing.HistoryBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class LostWriteCheckerTest {
    private final LostWriteChecker checker = new LostWriteChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    @Test
    void passesWhenEveryAcknowledgedSendIsInTheFinalRead() {
        h.send(1, Q0, "a", 0);
        h.send(2, Q0, "b", 1);
        h.send(1, Q1, "c", 0);
        h.read(9, Q0, "a", "b");
        h.read(9, Q1, "c");
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "acknowledged", 3L);
        assertFigure(result, "lost", 0L);
        assertFigure(result, "partitions-read", 2L);
    }

    @Test
    void flagsAnAcknowledgedSendAbsentFromTheFinalRead() {
        h.send(1, Q0, "a", 0); // ops 0, 1
        h.invokeSend(2, "b"); // op 2
        h.okSend(2, Q0, "b", 1); // op 3
        h.send(1, Q0, "c", 2); // ops 4, 5
        Op read = h.read(9, Q0, "a", "c"); // ops 6, 7
        CheckResult result = check(checker, h.build());
        assertOneAnomaly(result, "lost write", "\"b\"", "process 2", "invoke op 2, ok op 3", "queue-0 offset 1",
                "final read of queue-0 (op " + read.index() + ", 2 records)");
        assertFigure(result, "lost", 1L);
    }

    @Test
    void saysWhereALostValueWasReadInstead() {
        h.send(1, Q0, "a", 0);
        h.read(9, Q0);
        h.read(9, Q1, "a");
        assertOneAnomaly(check(checker, h.build()), "lost write", "it was read at queue-1 offset 0 instead");
    }

    @Test
    void aPollDoesNotStandInForTheFinalRead() {
        h.send(1, Q0, "a", 0);
        h.poll(5, message(Q0, 0, "a"));
        h.read(9, Q0);
        assertOneAnomaly(check(checker, h.build()), "lost write", "\"a\"");
    }

    @Test
    void aValueInAnyOfSeveralFinalReadsIsPresent() {
        h.send(1, Q0, "a", 0);
        h.send(1, Q0, "b", 1);
        h.read(8, Q0, "a");
        h.read(9, Q0, "a", "b");
        assertValid(check(checker, h.build()));
    }

    @Test
    void indeterminateSendsMayBeAbsentOrPresent() {
        h.invokeSend(1, "present");
        h.infoSend(1, "present");
        h.invokeSend(2, "absent");
        h.infoSend(2, "absent");
        h.invokeSend(3, "never completed");
        h.read(9, Q0, "present");
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "indeterminate-present", 1L);
        assertFigure(result, "indeterminate-absent", 2L);
        assertFigure(result, "acknowledged", 0L);
    }

    @Test
    void aFailedSendThatIsPresentIsNoLostWriteButIsNoted() {
        h.invokeSend(1, "a"); // op 0
        h.failSend(1, "a"); // op 1
        h.invokeSend(1, "b");
        h.failSend(1, "b");
        h.read(9, Q0, "a");
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "failed-present", 1L);
        assertEquals(1, result.notes().size());
        assertTrue(result.notes().get(0).contains("\"a\"") && result.notes().get(0).contains("invoke op 0, fail op 1")
                && result.notes().get(0).contains("queue-0 offset 0"), result.notes().get(0));
    }

    @Test
    void anAcknowledgedSendNoFinalReadCoversIsUnverified() {
        h.send(1, Q0, "a", 0);
        Op b = h.send(1, Q1, "b", 0);
        Op c = h.send(2, Q1, "c", 1);
        h.read(9, Q0, "a");
        h.add(Op.invokeRead(9, Q1));
        h.add(Op.invokeRead(9, Q1).fail("timed out"));
        CheckResult result = check(checker, h.build());
        assertOneAnomaly(result, "no final read of queue-1", "2 acknowledged send(s)",
                "ok ops " + b.index() + " and " + c.index());
        assertFigure(result, "unverified", 2L);
        assertFigure(result, "lost", 0L);
    }

    @Test
    void aSendAcknowledgedWithoutPartitionIsLookedForInItsTopic() {
        h.invokeSend(1, "a");
        h.add(Op.invokeSend(1, HistoryBuilder.TOPIC, null, "a").ok());
        h.invokeSend(1, "b");
        h.add(Op.invokeSend(1, HistoryBuilder.TOPIC, null, "b").ok());
        h.read(9, Q1, "a");
        assertOneAnomaly(check(checker, h.build()), "lost write", "\"b\"", "acknowledged on topic queue");
    }

    @Test
    void anEmptyHistoryHasNoLostWrites() {
        CheckResult result = check(checker, History.of(List.of()));
        assertValid(result);
        assertFigure(result, "acknowledged", 0L);
    }
}
