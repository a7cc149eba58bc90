package io.brook.chaos.check;

import static io.brook.chaos.check.CheckAssertions.assertFigure;
import static io.brook.chaos.check.CheckAssertions.assertOneAnomaly;
import static io.brook.chaos.check.CheckAssertions.assertValid;
import static io.brook.chaos.check.CheckAssertions.check;
import static io.brook.chaos.history.testing.HistoryBuilder.Q0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.testing.HistoryBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvailabilityCheckerTest {
    private final AvailabilityChecker checker = new AvailabilityChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    @Test
    void countsSendsByOutcome() {
        h.send(1, Q0, "a", 0);
        h.send(1, Q0, "b", 1);
        h.invokeSend(1, "c");
        h.failSend(1, "c");
        h.invokeSend(1, "d");
        h.infoSend(1, "d");
        h.invokeSend(2, "e"); // never completes
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "attempted", 5L);
        assertFigure(result, "acknowledged", 2L);
        assertFigure(result, "failed", 1L);
        assertFigure(result, "indeterminate", 2L);
    }

    @Test
    void findsTheLongestStretchWithoutAnAcknowledgement() {
        h.at(0).invokeSend(1, "a");
        h.at(10).okSend(1, Q0, "a", 0);
        h.at(20).invokeSend(1, "b");
        h.at(3_020).okSend(1, Q0, "b", 1); // 3,010 ms after the previous ack
        h.at(3_100).invokeSend(1, "c");
        h.at(3_200).infoSend(1, "c");
        h.at(9_000).read(9, Q0, "a", "b"); // after the send window: not counted
        CheckResult result = check(checker, h.build());
        assertFigure(result, "longest-unavailable-ms", 3_010.0);
        assertFigure(result, "longest-unavailable-start-ms", 10.0);
        assertFigure(result, "longest-unavailable-end-ms", 3_020.0);
    }

    @Test
    void countsTheStretchesBeforeTheFirstAndAfterTheLastAcknowledgement() {
        h.at(0).invokeSend(1, "a");
        h.at(500).okSend(1, Q0, "a", 0);
        h.at(600).invokeSend(1, "b");
        h.at(2_600).failSend(1, "b");
        CheckResult result = check(checker, h.build());
        assertFigure(result, "longest-unavailable-ms", 2_100.0);
        assertFigure(result, "longest-unavailable-start-ms", 500.0);

        HistoryBuilder noAck = new HistoryBuilder();
        noAck.at(100).invokeSend(1, "a");
        noAck.at(900).infoSend(1, "a");
        CheckResult none = check(checker, noAck.build());
        assertFigure(none, "longest-unavailable-ms", 800.0);
        assertFigure(none, "longest-unavailable-start-ms", 100.0);
    }

    @Test
    void measuresRecoveryFromEachHealToTheNextAcknowledgement() {
        h.at(0).send(1, Q0, "a", 0);
        h.at(1_000).invokeSend(1, "b");
        h.at(2_250).okSend(1, Q0, "b", 1); // 250 ms after the kill healed at 2,000
        h.at(5_000).invokeSend(1, "c");
        h.at(5_100).okSend(1, Q0, "c", 2); // 600 ms after the pause healed at 4,500
        h.at(5_200).send(1, Q0, "d", 3);
        List<FaultWindow> faults = List.of(
                new FaultWindow("kill", List.of(2), "leader of queue-0", ms(500), ms(2_000)),
                new FaultWindow("pause", List.of(3), null, ms(4_000), ms(4_500)),
                new FaultWindow("kill", List.of(1), null, ms(5_000), ms(5_150)), // 51 ms: "d" acked at 5,201
                FaultWindow.open("partition-isolate", List.of(1), null, ms(5_300)));
        CheckResult result = check(checker, h.build(), faults);
        assertValid(result);
        assertFigure(result, "faults", 4L);
        assertFigure(result, "healed-faults", 3L);
        assertFigure(result, "unrecovered-faults", 0L);
        assertFigure(result, "median-recovery-ms", 250.0);
        assertFigure(result, "max-recovery-ms", 600.0);
        assertFigure(result, "median-recovery-ms-by-kind", Map.of("kill", 150.5, "pause", 600.0));
        @SuppressWarnings("unchecked")
        List<String> recoveries = (List<String>) result.figures().get("recoveries");
        assertEquals(3, recoveries.size());
        assertTrue(recoveries.get(0).startsWith("kill [2] (leader of queue-0) healed at 2.000 s: first send"
                + " acknowledged 250.0 ms later (op "), recoveries.get(0));
    }

    @Test
    void anAcknowledgementAtTheHealInstantIsAnImmediateRecovery() {
        h.at(0).invokeSend(1, "a");
        h.at(1_000).okSend(1, Q0, "a", 0);
        CheckResult result = check(checker, h.build(), List.of(new FaultWindow("kill", List.of(1), null, 0, ms(1_000))));
        assertFigure(result, "median-recovery-ms", 0.0);
    }

    @Test
    void aHealWithNoAcknowledgementAfterItIsUnrecovered() {
        h.at(0).send(1, Q0, "a", 0);
        h.at(100).invokeSend(1, "b");
        h.at(200).infoSend(1, "b");
        List<FaultWindow> faults = List.of(new FaultWindow("pause", List.of(1), null, ms(50), ms(150)));
        CheckResult result = check(checker, h.build(), faults);
        assertValid(result);
        assertFigure(result, "unrecovered-faults", 1L);
        assertTrue(Double.isNaN((Double) result.figures().get("median-recovery-ms")));
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(150.0, AvailabilityChecker.medianMillis(List.of(ms(200), ms(100))));
        assertEquals(100.0, AvailabilityChecker.medianMillis(List.of(ms(300), ms(100), ms(50))));
    }

    @Test
    void aBoundedCheckerFlagsLongUnavailabilityAndSlowOrMissingRecovery() {
        AvailabilityChecker bounded = AvailabilityChecker.bounded(Duration.ofSeconds(2), Duration.ofMillis(500));
        h.at(0).send(1, Q0, "a", 0); // ops 0, 1
        h.at(1_000).invokeSend(1, "b"); // op 2
        h.at(3_500).okSend(1, Q0, "b", 1); // op 3: 3,499 ms after op 1 (at 1 ms)
        List<FaultWindow> slow = List.of(new FaultWindow("kill", List.of(2), null, ms(100), ms(2_500)));
        CheckResult result = check(bounded, h.build(), slow);
        assertFalse(result.valid());
        assertEquals(2, result.anomalies().size(), result.anomalies()::toString);
        assertTrue(result.anomalies().get(0).startsWith("unavailable: no send acknowledged for 3499.0 ms, from 0.001 s"
                + " (op 1) to 3.500 s (op 3); the bound is 2000.0 ms"), result.anomalies().get(0));
        assertTrue(result.anomalies().get(1).startsWith("slow recovery: kill [2] healed at 2.500 s, and the first send"
                + " acknowledged afterwards (op 3) came 1000.0 ms later; the bound is 500.0 ms"),
                result.anomalies().get(1));

        List<FaultWindow> never = List.of(new FaultWindow("pause", List.of(3), null, ms(3_600), ms(3_700)));
        AvailabilityChecker recoveryOnly = AvailabilityChecker.bounded(Duration.ofSeconds(10), Duration.ofMillis(500));
        assertOneAnomaly(check(recoveryOnly, h.build(), never), "unrecovered: pause [3] healed at 3.700 s");
        assertValid(check(AvailabilityChecker.bounded(Duration.ofSeconds(4), Duration.ofSeconds(2)), h.build(), slow));
    }

    @Test
    void anEmptyHistoryMeasuresNothing() {
        CheckResult result = check(checker, History.of(List.of()));
        assertValid(result);
        assertFigure(result, "attempted", 0L);
        assertFigure(result, "longest-unavailable-ms", 0.0);
        assertTrue(Double.isNaN((Double) result.figures().get("longest-unavailable-start-ms")));
        assertTrue(Double.isNaN((Double) result.figures().get("median-recovery-ms")));
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }
}
