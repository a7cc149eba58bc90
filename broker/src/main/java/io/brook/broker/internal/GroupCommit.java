package io.brook.broker.internal;

import io.brook.storage.PartitionLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for {@code log.flush.on.ack}: callers ask for a log to be flushed up to its end and
 * get a future of the offset below which it is durable. A few flusher threads take the logs that
 * have requests, one at a time per log, and serve every request that arrived before the fsync
 * started with that one fsync: under load, one fsync covers many batches of many producers, and
 * different partitions are flushed in parallel.
 *
 * <p>A failed fsync (the log goes offline) fails the futures of that round.
 */
public final class GroupCommit implements Flusher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private final Object lock = new Object();
    /** Logs with requests that no flusher has taken yet, in arrival order. */
    private final ArrayDeque<PartitionLog> queue = new ArrayDeque<>();
    /** Requests per log not yet served; a log is in here iff it is queued or being flushed. */
    private final Map<PartitionLog, List<CompletableFuture<Long>>> waiting = new IdentityHashMap<>();
    /** Logs a flusher is working on now (not queued again until it finishes). */
    private final Map<PartitionLog, Boolean> inProgress = new IdentityHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    public GroupCommit(String name, int threadCount) {
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(this::run, name + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Flushes {@code partitionLog} up to (at least) its current end; completes with its recovery point. */
    @Override
    public CompletableFuture<Long> flush(PartitionLog partitionLog) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("the broker is shutting down"));
                return done;
            }
            List<CompletableFuture<Long>> requests = waiting.get(partitionLog);
            if (requests == null) {
                requests = new ArrayList<>();
                waiting.put(partitionLog, requests);
                if (!inProgress.containsKey(partitionLog)) {
                    queue.add(partitionLog);
                    lock.notify();
                }
            }
            requests.add(done);
        }
        return done;
    }

    private void run() {
        while (true) {
            PartitionLog next;
            List<CompletableFuture<Long>> served;
            synchronized (lock) {
                while (queue.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                next = queue.poll();
                served = waiting.remove(next);
                inProgress.put(next, Boolean.TRUE);
            }
            Throwable failure = null;
            long durable = -1;
            try {
                next.flush();
                durable = next.recoveryPoint();
            } catch (RuntimeException e) {
                failure = e;
                log.error("Flushing {} failed: {}", next.topicPartition(), e.getMessage());
            }
            synchronized (lock) {
                inProgress.remove(next);
                if (waiting.containsKey(next)) {
                    queue.add(next); // requests arrived during the fsync: another round
                    lock.notify();
                }
            }
            for (CompletableFuture<Long> request : served) {
                if (failure == null) {
                    request.complete(durable);
                } else {
                    request.completeExceptionally(failure);
                }
            }
        }
    }

    @Override
    public void close() {
        List<CompletableFuture<Long>> abandoned = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            waiting.values().forEach(abandoned::addAll);
            waiting.clear();
            queue.clear();
            lock.notifyAll();
        }
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        abandoned.forEach(f -> f.completeExceptionally(new IllegalStateException("the broker is shutting down")));
    }
}
