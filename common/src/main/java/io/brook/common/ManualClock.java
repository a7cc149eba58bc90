package io.brook.common;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to: {@link #advance(long)} moves wall and monotonic time
 * together. For tests and deterministic simulations.
 *
 * <p>Thread-safe: readers on other threads see every advance.
 */
public final class ManualClock implements Clock {
    private final AtomicLong nanos;
    private final long wallOriginMs;

    /** Starts with wall time at {@code startMs} and monotonic time at 0. */
    public ManualClock(long startMs) {
        this.wallOriginMs = startMs;
        this.nanos = new AtomicLong();
    }

    /** Starts at a fixed, recognisable wall time (2026-01-01T00:00:00Z). */
    public ManualClock() {
        this(1_767_225_600_000L);
    }

    /** Moves time forward by {@code ms} milliseconds. */
    public void advance(long ms) {
        advanceNanos(Math.multiplyExact(ms, 1_000_000L));
    }

    /** Moves time forward by {@code nanos} nanoseconds. */
    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time cannot go backwards: " + nanos);
        }
        this.nanos.addAndGet(nanos);
    }

    @Override
    public long milliseconds() {
        return wallOriginMs + nanos.get() / 1_000_000L;
    }

    @Override
    public long nanoseconds() {
        return nanos.get();
    }

    @Override
    public String toString() {
        return "ManualClock(" + milliseconds() + " ms)";
    }
}
