package io.brook.client.internal;

import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.common.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O of a {@link GroupMembership}: sends the heartbeats it asks for to the group's
 * coordinator and gives it the answers, forgetting the coordinator when told to. {@link #runOnce}
 * never blocks; with {@link Mode#BACKGROUND_THREAD} a daemon thread calls it whenever the
 * membership has something due (so heartbeats go on while the application is busy between polls,
 * as with Kafka's consumer), and the application thread calls it too, from poll, to send at once
 * what it just changed.
 *
 * <p>Thread-safe. Lifecycle: {@link #start} once, {@link #close} once.
 */
public final class HeartbeatDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatDriver.class);
    /** The thread looks again at least this often even when nothing woke it. */
    private static final long MAX_WAIT_MS = 1000;

    /** Who calls {@link #runOnce}: a background thread and poll, or (for tests) only the application's calls. */
    public enum Mode { BACKGROUND_THREAD, CALLER_ONLY }

    private final GroupMembership membership;
    private final CoordinatorLookup coordinators;
    private final String groupId;
    private final Clock clock;
    private final long requestTimeoutMs;
    private final Runnable wakeApplication;
    private final Mode mode;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;

    public HeartbeatDriver(GroupMembership membership, CoordinatorLookup coordinators, String groupId, Clock clock,
            long requestTimeoutMs, Runnable wakeApplication, Mode mode) {
        this.membership = membership;
        this.coordinators = coordinators;
        this.groupId = groupId;
        this.clock = clock;
        this.requestTimeoutMs = requestTimeoutMs;
        this.wakeApplication = wakeApplication;
        this.mode = mode;
    }

    /** Starts the background thread (in {@link Mode#BACKGROUND_THREAD}). */
    public synchronized void start(String name) {
        if (mode != Mode.BACKGROUND_THREAD || thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Checks the poll timer and sends the heartbeat that is due, if any; returns at once. */
    public void runOnce() {
        long nowMs = clock.monotonicMilliseconds();
        if (membership.checkPollTimer(nowMs)) {
            wakeApplication.run();
        }
        ConsumerGroupHeartbeatRequest request = membership.heartbeatToSend(nowMs);
        if (request == null) {
            return;
        }
        CompletableFuture<ConsumerGroupHeartbeatResponse> answer;
        try {
            answer = coordinators.coordinator(groupId)
                    .thenCompose(connection -> connection.consumerGroupHeartbeat(request, requestTimeoutMs));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, error) -> {
            long atMs = clock.monotonicMilliseconds();
            GroupMembership.Effects effects = error == null ? membership.onHeartbeatResponse(response, atMs)
                    : membership.onHeartbeatFailure(Futures.unwrap(error), atMs);
            if (effects.findCoordinator()) {
                coordinators.invalidate(groupId);
            }
            if (effects.wakeApplication()) {
                wakeApplication.run();
            }
            wakeup();
        });
    }

    /** Makes the background thread look at the membership now (something changed). */
    public void wakeup() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.error("Consumer group {}: heartbeat failed unexpectedly", groupId, e);
            }
            long waitMs = Math.min(MAX_WAIT_MS, membership.msUntilNextAction(clock.monotonicMilliseconds()));
            lock.lock();
            try {
                if (!woken && running && waitMs > 0) {
                    wake.await(waitMs, TimeUnit.MILLISECONDS);
                }
                woken = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Stops the background thread (a heartbeat in flight may still be answered). */
    @Override
    public void close() {
        Thread stopping;
        synchronized (this) {
            running = false;
            stopping = thread;
            thread = null;
        }
        wakeup();
        if (stopping != null && stopping != Thread.currentThread()) {
            try {
                stopping.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
