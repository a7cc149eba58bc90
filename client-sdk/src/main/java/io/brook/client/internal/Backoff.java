package io.brook.client.internal;

import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter, as Kafka's clients do: {@code initial * 2^attempt}, capped at
 * {@code max}, times a random factor in [0.8, 1.2]. The randomness is passed in.
 */
public final class Backoff {
    private final long initialMs;
    private final long maxMs;
    private final RandomGenerator random;

    public Backoff(long initialMs, long maxMs, RandomGenerator random) {
        this.initialMs = initialMs;
        this.maxMs = Math.max(initialMs, maxMs);
        this.random = random;
    }

    /** The wait before retry number {@code attempt + 1} (attempt 0 is the first retry). */
    public long delayMs(int attempt) {
        if (initialMs == 0) {
            return 0;
        }
        double exp = initialMs * Math.pow(2, Math.min(attempt, 30));
        double capped = Math.min(exp, maxMs);
        double jitter;
        synchronized (random) {
            jitter = 0.8 + 0.4 * random.nextDouble();
        }
        return Math.max(0, Math.round(Math.min(capped * jitter, maxMs)));
    }
}
