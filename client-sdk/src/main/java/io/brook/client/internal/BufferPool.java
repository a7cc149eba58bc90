package io.brook.client.internal;

import io.brook.client.TimeoutException;
import io.brook.common.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The producer's {@code buffer.memory}: bytes of records accepted and not yet answered. A send that
 * does not fit waits, in arrival order, until answers free enough or {@code max.block.ms} passes.
 */
public final class BufferPool {
    private final long capacity;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition freed = lock.newCondition();
    private long used;
    private boolean closed;

    public BufferPool(long capacity, Clock clock) {
        this.capacity = capacity;
        this.clock = clock;
    }

    /**
     * Takes {@code bytes}, waiting up to {@code maxBlockMs}.
     *
     * @throws TimeoutException (not indeterminate: nothing was sent) when they do not free in time
     */
    public void allocate(long bytes, long maxBlockMs) throws InterruptedException {
        lock.lock();
        try {
            long deadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(maxBlockMs);
            while (!closed && used + bytes > capacity) {
                long remaining = deadline - clock.nanoseconds();
                if (remaining <= 0) {
                    throw new TimeoutException("buffer.memory (" + capacity + " bytes) stayed full for max.block.ms ("
                            + maxBlockMs + " ms): the brokers answer slower than records are sent", false);
                }
                freed.awaitNanos(remaining);
            }
            if (closed) {
                throw new IllegalStateException("the producer is closed");
            }
            used += bytes;
        } finally {
            lock.unlock();
        }
    }

    public void release(long bytes) {
        lock.lock();
        try {
            used -= bytes;
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting send with an error. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
