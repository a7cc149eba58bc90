package io.brook.metadata.internal.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The active controller's soft state about broker sessions: when each broker was last heard
 * from, how far its metadata is, and which log index it must reach to count as caught up. Lives
 * only in memory; a new active controller starts every registered broker with a fresh session.
 *
 * <p>Times are monotonic milliseconds from the injected clock. Not thread-safe: used on the
 * controller's event loop.
 */
final class BrokerHeartbeatManager {
    private final long sessionTimeoutMs;
    private final Map<Integer, Session> sessions = new HashMap<>();

    BrokerHeartbeatManager(long sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    private static final class Session {
        long lastContactMs;
        long metadataOffset = -1;
        long catchUpTarget;

        Session(long nowMs, long catchUpTarget) {
            this.lastContactMs = nowMs;
            this.catchUpTarget = catchUpTarget;
        }
    }

    /** Starts (or restarts) a session, for a registration or after a controller failover. */
    void start(int brokerId, long nowMs, long catchUpTarget) {
        sessions.put(brokerId, new Session(nowMs, catchUpTarget));
    }

    void remove(int brokerId) {
        sessions.remove(brokerId);
    }

    void clear() {
        sessions.clear();
    }

    boolean hasSession(int brokerId) {
        return sessions.containsKey(brokerId);
    }

    /** Records a heartbeat; returns whether the broker has caught up with its catch-up target. */
    boolean touch(int brokerId, long nowMs, long metadataOffset) {
        Session session = sessions.computeIfAbsent(brokerId, id -> new Session(nowMs, Long.MAX_VALUE));
        session.lastContactMs = nowMs;
        session.metadataOffset = Math.max(session.metadataOffset, metadataOffset);
        return session.metadataOffset >= session.catchUpTarget;
    }

    /** Sets the index the broker must have applied to be caught up (its registration's index). */
    void setCatchUpTarget(int brokerId, long index) {
        Session session = sessions.get(brokerId);
        if (session != null) {
            session.catchUpTarget = index;
        }
    }

    boolean isCaughtUp(int brokerId) {
        Session session = sessions.get(brokerId);
        return session != null && session.metadataOffset >= session.catchUpTarget;
    }

    /**
     * Brokers whose session expired: not heard from for at least the session timeout. A broker
     * last heard at t is fenced at t + timeout, not before.
     */
    List<Integer> expired(long nowMs) {
        List<Integer> out = new ArrayList<>();
        sessions.forEach((id, session) -> {
            if (nowMs - session.lastContactMs >= sessionTimeoutMs) {
                out.add(id);
            }
        });
        out.sort(null);
        return out;
    }

    /** When the next session expires if nobody heartbeats, or Long.MAX_VALUE. */
    long nextExpiryMs() {
        long next = Long.MAX_VALUE;
        for (Session session : sessions.values()) {
            next = Math.min(next, session.lastContactMs + sessionTimeoutMs);
        }
        return next;
    }
}
