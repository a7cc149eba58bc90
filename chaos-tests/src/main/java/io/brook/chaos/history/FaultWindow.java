package io.brook.chaos.history;

import java.util.List;
import java.util.Objects;

/**
 * One fault the nemesis injected, from when it started to when it was healed. Immutable.
 * Recorded in a {@link FaultHistory}, on the same time line as the run's {@link History}.
 *
 * @param kind what was done: "kill", "pause", "partition-isolate", "partition-split",
 *     "partition-bridge", ...
 * @param targets the nodes it hit (for a partition, the nodes cut off or the minority side;
 *     {@link #detail} says more)
 * @param detail free text, for the report: "leader of queue-0", "[1] | [2, 3]", or null
 * @param startNanos when the fault began, in nanoseconds since the run started
 * @param endNanos when it was healed (the restart, SIGCONT or healed network returned), or
 *     {@link #OPEN} while it lasts
 */
public record FaultWindow(String kind, List<Integer> targets, String detail, long startNanos, long endNanos) {
    /** The {@link #endNanos} of a fault not (yet) healed. */
    public static final long OPEN = Long.MAX_VALUE;

    public FaultWindow {
        Objects.requireNonNull(kind, "kind");
        targets = List.copyOf(targets);
        if (endNanos < startNanos) {
            throw new IllegalArgumentException("a fault cannot heal (" + endNanos + ") before it starts (" + startNanos
                    + ")");
        }
    }

    /** An open window: the fault started at {@code startNanos} and lasts. */
    public static FaultWindow open(String kind, List<Integer> targets, String detail, long startNanos) {
        return new FaultWindow(kind, targets, detail, startNanos, OPEN);
    }

    /** Whether the fault was healed. */
    public boolean healed() {
        return endNanos != OPEN;
    }

    /** This window, healed at {@code healNanos}. */
    public FaultWindow healedAt(long healNanos) {
        if (healed()) {
            throw new IllegalStateException("already healed: " + this);
        }
        return new FaultWindow(kind, targets, detail, startNanos, healNanos);
    }

    /** Whether {@code timeNanos} falls inside the window (start inclusive, end exclusive). */
    public boolean contains(long timeNanos) {
        return timeNanos >= startNanos && timeNanos < endNanos;
    }

    /** "kill [2] (leader of queue-0)" for the report. */
    public String describe() {
        return kind + " " + targets + (detail == null ? "" : " (" + detail + ")");
    }
}
