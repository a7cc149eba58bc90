package io.brook.chaos.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Bounded polling of a condition, for the harness and its tests: no fixed sleeps. */
public final class Await {
    private Await() {}

    /**
     * Polls {@code condition} every 50 ms until it holds, for at most {@code timeout}. A runtime
     * exception counts as "not yet" (a node still starting, a call cut) and the last one is
     * reported on timeout; an {@link Error} (an assertion) fails at once.
     *
     * @throws IllegalStateException on timeout, naming {@code what}
     */
    public static void until(String what, Duration timeout, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting until " + what, e);
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting until " + what
                        + (last != null ? " (last attempt: " + last + ")" : ""), last);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
