package io.brook.chaos.check;

import static io.brook.chaos.check.CheckAssertions.assertFigure;
import static io.brook.chaos.check.CheckAssertions.assertOneAnomaly;
import static io.brook.chaos.check.CheckAssertions.assertValid;
import static io.brook.chaos.check.CheckAssertions.check;
import static io.brook.chaos.history.testing.HistoryBuilder.Q0;
import static io.brook.chaos.history.testing.HistoryBuilder.Q1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.chaos.history.History;
import io.brook.chaos.history.testing.HistoryBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReorderCheckerTest {
    private final ReorderChecker checker = new ReorderChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    @Test
    void passesSendsStoredInTheOrderTheyWereSent() {
        h.send(1, Q0, "a", 0);
        h.send(1, Q0, "b", 3);
        h.send(1, Q0, "c", 4);
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "acknowledged", 3L);
        assertFigure(result, "producer-partitions", 1L);
    }

    @Test
    void flagsASendInvokedAfterAnotherWasAcknowledgedButStoredBeforeIt() {
        h.send(1, Q0, "a", 5); // ops 0, 1
        h.send(1, Q0, "b", 2); // ops 2, 3
        CheckResult result = check(checker, h.build());
        assertOneAnomaly(result, "reorder: process 1, queue-0", "send of \"b\" by process 1 (invoke op 2, ok op 3)"
                + " got offset 2", "send of \"a\" by process 1 (invoke op 0, ok op 1), invoked before it and"
                + " acknowledged before it was invoked, got offset 5");
        assertFigure(result, "reorders-after-completion", 1L);
        assertFigure(result, "reorders-in-flight", 0L);
    }

    @Test
    void flagsInFlightSendsStoredAgainstInvocationOrder() {
        h.invokeSend(1, "a"); // op 0
        h.invokeSend(1, "b"); // op 1
        h.okSend(1, Q0, "b", 7); // op 2
        h.okSend(1, Q0, "a", 8); // op 3
        CheckResult result = check(checker, h.build());
        assertOneAnomaly(result, "send of \"b\" by process 1 (invoke op 1, ok op 2) got offset 7",
                "\"a\" by process 1 (invoke op 0, ok op 3), invoked before it and in flight with it, got offset 8");
        assertFigure(result, "reorders-in-flight", 1L);
    }

    @Test
    void inFlightSendsMayCompleteInAnyOrderIfStoredInInvocationOrder() {
        h.invokeSend(1, "a");
        h.invokeSend(1, "b");
        h.invokeSend(1, "c");
        h.okSend(1, Q0, "c", 2);
        h.okSend(1, Q0, "a", 0);
        h.okSend(1, Q0, "b", 1);
        assertValid(check(checker, h.build()));
    }

    @Test
    void twoSendsAtOneOffsetAreOutOfOrder() {
        h.send(1, Q0, "a", 4);
        h.send(1, Q0, "b", 4);
        assertOneAnomaly(check(checker, h.build()), "\"b\"", "got offset 4", "got offset 4");
    }

    @Test
    void otherPartitionsAndOtherProducersAreIndependent() {
        h.send(1, Q0, "a", 5);
        h.send(1, Q1, "b", 0);
        h.send(2, Q0, "c", 1);
        h.send(1, Q0, "d", 6);
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "producer-partitions", 3L);
    }

    @Test
    void failedAndIndeterminateSendsAreLeftOut() {
        h.send(1, Q0, "a", 5);
        h.invokeSend(1, "b");
        h.failSend(1, "b");
        h.invokeSend(1, "c");
        h.infoSend(1, "c");
        h.send(1, Q0, "d", 6);
        assertValid(check(checker, h.build()));
    }

    @Test
    void reportsEachOutOfOrderSendOnceAgainstTheHighestEarlierOne() {
        h.send(1, Q0, "a", 9); // moved far ahead: only the sends after it are out of order
        h.send(1, Q0, "b", 1);
        h.send(1, Q0, "c", 2);
        h.send(1, Q0, "d", 10);
        CheckResult result = check(checker, h.build());
        assertEquals(2, result.anomalies().size(), result.anomalies()::toString);
        result.anomalies().forEach(a -> assertEquals(true, a.contains("\"a\""), a));
        assertFigure(result, "reorders", 2L);
    }

    @Test
    void anEmptyHistoryHasNoReorders() {
        assertValid(check(checker, History.of(List.of())));
    }
}
