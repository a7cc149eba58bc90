package io.brook.chaos.check;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import java.util.List;

/**
 * Looks for one kind of anomaly in a finished run's history, after the run; named after the
 * anomaly it finds. Implementations are pure functions of their input: deterministic,
 * stateless, thread-safe.
 */
public interface Checker {

    /** The anomaly's name, kebab case as in Jepsen: "lost-write", "duplicate", ... */
    String name();

    /**
     * Checks {@code history}, whose fault windows were {@code faults} (on the same time line).
     *
     * @return whether the history is free of the anomaly, each instance found, and figures
     */
    CheckResult check(History history, List<FaultWindow> faults);
}
