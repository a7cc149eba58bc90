package io.brook.common;

/**
 * The only source of time for Brook's core logic. Production code uses {@link #system()}; tests
 * and simulations pass a {@link ManualClock} and move time explicitly, so nothing sleeps and
 * every run is reproducible.
 *
 * <p>Implementations are thread-safe.
 */
public interface Clock {

    /** Wall-clock time in milliseconds since the epoch: for timestamps that leave the process. */
    long milliseconds();

    /**
     * Monotonic time in nanoseconds from an arbitrary origin: for measuring elapsed time and
     * deadlines. Never compare it across processes.
     */
    long nanoseconds();

    /** Elapsed-time view of {@link #nanoseconds()} in milliseconds. */
    default long monotonicMilliseconds() {
        return nanoseconds() / 1_000_000L;
    }

    /** The real clock of this JVM. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
