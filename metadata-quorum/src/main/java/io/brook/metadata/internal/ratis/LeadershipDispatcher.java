package io.brook.metadata.internal.ratis;

import io.brook.metadata.internal.LeadershipListener;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Ratis's leadership notifications, which arrive on several Ratis threads and may repeat,
 * into an ordered sequence of {@link LeadershipListener} calls on one dedicated thread:
 * {@code becomeLeader(t)} at most once per term, and {@code resign} only after a
 * {@code becomeLeader} that has not been resigned yet. A slow listener therefore never blocks
 * Ratis.
 */
final class LeadershipDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeadershipDispatcher.class);

    private final LeadershipListener listener;
    private final ExecutorService thread;
    /** The term announced with becomeLeader and not yet resigned, or -1. Only touched on {@link #thread}. */
    private long announcedTerm = -1;

    LeadershipDispatcher(int nodeId, LeadershipListener listener) {
        this.listener = listener;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "brook-quorum-leadership-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** This node leads {@code term} and has applied everything committed before it. */
    void leaderReady(long term) {
        submit(() -> {
            if (announcedTerm == term) {
                return;
            }
            if (announcedTerm != -1) {
                listener.resign(announcedTerm, -1);
            }
            announcedTerm = term;
            listener.becomeLeader(term);
        });
    }

    /** This node does not lead any more; {@code newLeaderId} leads now (-1: unknown). */
    void notLeader(int newLeaderId) {
        submit(() -> {
            if (announcedTerm != -1) {
                long term = announcedTerm;
                announcedTerm = -1;
                listener.resign(term, newLeaderId);
            }
        });
    }

    private void submit(Runnable call) {
        try {
            thread.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    log.error("Leadership listener failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("Leadership event after close ignored");
        }
    }

    /** Resigns a still-announced leadership, then stops the thread after the queued calls. */
    @Override
    public void close() {
        notLeader(-1);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Leadership listener did not finish within 5 s");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }
}
