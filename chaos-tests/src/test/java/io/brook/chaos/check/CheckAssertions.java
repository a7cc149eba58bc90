package io.brook.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import java.util.List;

/** Assertions on check results that print the result when they fail. */
final class CheckAssertions {
    private CheckAssertions() {}

    static CheckResult check(Checker checker, History history) {
        return check(checker, history, List.of());
    }

    static CheckResult check(Checker checker, History history, List<FaultWindow> faults) {
        CheckResult result = checker.check(history, faults);
        assertEquals(checker.name(), result.name());
        return result;
    }

    static void assertValid(CheckResult result) {
        assertTrue(result.valid() && result.anomalies().isEmpty(), () -> "expected valid: " + result);
    }

    /** The result is invalid with exactly one anomaly, which contains every fragment. */
    static String assertOneAnomaly(CheckResult result, String... fragments) {
        assertFalse(result.valid(), () -> "expected invalid: " + result);
        assertEquals(1, result.anomalies().size(), () -> "expected one anomaly: " + result.anomalies());
        String anomaly = result.anomalies().get(0);
        for (String fragment : fragments) {
            assertTrue(anomaly.contains(fragment), () -> "expected \"" + fragment + "\" in: " + anomaly);
        }
        return anomaly;
    }

    static void assertFigure(CheckResult result, String name, Object expected) {
        assertEquals(expected, result.figures().get(name), () -> name + " in " + result.figures());
    }
}
