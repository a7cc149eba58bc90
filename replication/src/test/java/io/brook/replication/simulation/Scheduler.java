package io.brook.replication.simulation;

import io.brook.common.ManualClock;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The simulation's only source of time and order: a queue of events, each due at a time in
 * milliseconds, run one at a time in due order (ties in the order they were scheduled), moving a
 * {@link ManualClock} to each event's time. Nothing here reads the wall clock or sleeps, so a run
 * is a function of its seed.
 *
 * <p>Not thread-safe: one thread drives a simulation.
 */
final class Scheduler {
    private record Event(long dueMs, long sequence, Object label, Runnable action) {}

    private final PriorityQueue<Event> queue =
            new PriorityQueue<>(Comparator.comparingLong(Event::dueMs).thenComparingLong(Event::sequence));
    private final ManualClock clock = new ManualClock();
    private long sequence;

    long nowMs() {
        return clock.monotonicMilliseconds();
    }

    /**
     * Runs {@code action} {@code delayMs} from now; {@code label} names it in the trace (its
     * {@code toString} is called only when a trace is printed).
     */
    void schedule(long delayMs, Object label, Runnable action) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("negative delay " + delayMs);
        }
        queue.add(new Event(nowMs() + delayMs, sequence++, label, action));
    }

    /** The due time of the next event, or {@code Long.MAX_VALUE} when none is scheduled. */
    long nextDueMs() {
        Event next = queue.peek();
        return next == null ? Long.MAX_VALUE : next.dueMs();
    }

    /** Moves time to the next event and runs it; returns its label. */
    Object runNext() {
        Event next = queue.poll();
        if (next == null) {
            throw new IllegalStateException("nothing scheduled");
        }
        clock.advance(next.dueMs() - nowMs());
        next.action().run();
        return next.label();
    }
}
