package io.brook.replication;

import io.brook.api.v1.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The leader's view of one partition it leads: its log end offset (LEO), each follower's LEO and
 * how recently it was caught up, the high watermark (HW), and the ISR with at most one ISR change
 * in flight to the controller. Kafka's rules:
 *
 * <ul>
 *   <li><b>HW</b> = the minimum LEO over the ISR (the leader included; the leader counts only up to
 *       what it has flushed when it is told so, with {@code log.flush.on.ack}). It never decreases, and it
 *       does not advance while the committed ISR is smaller than {@code min.insync.replicas}. While an
 *       ISR change is in flight, the HW waits for every replica of either ISR (the <em>maximal</em>
 *       ISR), so a batch counts as committed only when every replica that might be in the ISR has
 *       it.
 *   <li><b>Caught up</b>: a follower is caught up when it fetches at or past the leader's LEO, or
 *       at or past the LEO the leader had at the follower's previous fetch (it then was caught up
 *       at that previous fetch).
 *   <li><b>Shrink</b>: an ISR follower not caught up for more than {@code replica.lag.time.max.ms}
 *       leaves the ISR. <b>Expand</b>: a replica outside the ISR whose LEO reached the HW and the
 *       start offset of this leader epoch (so it has truncated to this leader's log) joins it.
 *       Changes go to the controller with the partition epoch ({@link #proposeIsrChange}); the ISR
 *       changes here only when the controller committed it ({@link #onIsrChangeCommitted}).
 *   <li><b>acks=all</b> completes when the HW passes the batch's last offset; it is refused before
 *       the append with NOT_ENOUGH_REPLICAS, and a waiting batch is answered
 *       NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR falls below {@code min.insync.replicas}.
 * </ul>
 *
 * <p>Deterministic: time is passed in (milliseconds of a monotonic clock). Not thread-safe: one
 * thread owns a partition's state.
 */
public final class PartitionLeaderState {
    /** A follower's LEO before its first fetch in this leader epoch. */
    public static final long UNKNOWN = -1;

    private final int leaderId;
    private final List<Integer> replicas;
    private final int leaderEpoch;
    private final long leaderEpochStartOffset;
    private int minInsyncReplicas;
    private final long replicaLagTimeMaxMs;
    private final Map<Integer, Follower> followers = new LinkedHashMap<>();

    private List<Integer> isr;
    private int partitionEpoch;
    private long logEndOffset;
    /** The leader's own records below this are durable (flushed, with log.flush.on.ack); at most the LEO. */
    private long durableEndOffset;
    private long highWatermark;
    private IsrChange pending;

    private static final class Follower {
        long logEndOffset = UNKNOWN;
        long lastCaughtUpMs;
        long lastFetchMs;
        long leaderEndOffsetAtLastFetch = UNKNOWN;

        Follower(long nowMs) {
            this.lastCaughtUpMs = nowMs;
            this.lastFetchMs = nowMs;
        }
    }

    /**
     * An ISR change proposed to the controller, based on {@code partitionEpoch}.
     *
     * @param newIsr the proposed ISR, in replica order
     */
    public record IsrChange(List<Integer> newIsr, int leaderEpoch, int partitionEpoch) {
        public IsrChange {
            newIsr = List.copyOf(newIsr);
        }
    }

    /** The outcome of an acks=all produce: still waiting, or its answer. */
    public enum Completion { WAITING, DONE, NOT_ENOUGH_REPLICAS_AFTER_APPEND }

    /**
     * The state of a new leadership. Followers in the ISR count as caught up now (they get
     * {@code replica.lag.time.max.ms} to fetch); their LEOs are unknown until they fetch, so the HW
     * waits for them.
     *
     * @param logEndOffset  the leader's LEO when it became leader: the start offset of this epoch
     * @param highWatermark the HW the leader knew (from its time as a follower, or its checkpoint)
     */
    public PartitionLeaderState(int leaderId, List<Integer> replicas, List<Integer> isr, int leaderEpoch,
            int partitionEpoch, int minInsyncReplicas, long replicaLagTimeMaxMs, long logEndOffset, long highWatermark,
            long nowMs) {
        this(leaderId, replicas, isr, leaderEpoch, partitionEpoch, minInsyncReplicas, replicaLagTimeMaxMs, logEndOffset,
                logEndOffset, highWatermark, nowMs);
    }

    /**
     * As above, for a leader whose own log is durable only below {@code durableEndOffset} (flushed
     * up to there, with {@code log.flush.on.ack}): the HW counts the leader only up to what it has
     * flushed, as it counts each follower up to what it reported.
     */
    public PartitionLeaderState(int leaderId, List<Integer> replicas, List<Integer> isr, int leaderEpoch,
            int partitionEpoch, int minInsyncReplicas, long replicaLagTimeMaxMs, long logEndOffset,
            long durableEndOffset, long highWatermark, long nowMs) {
        if (durableEndOffset > logEndOffset) {
            throw new IllegalArgumentException("durable end " + durableEndOffset + " above the LEO " + logEndOffset);
        }
        if (!replicas.contains(leaderId)) {
            throw new IllegalArgumentException("leader " + leaderId + " is not a replica of " + replicas);
        }
        if (highWatermark > logEndOffset) {
            throw new IllegalArgumentException("high watermark " + highWatermark + " above the LEO " + logEndOffset);
        }
        this.leaderId = leaderId;
        this.replicas = List.copyOf(replicas);
        this.isr = List.copyOf(isr);
        this.leaderEpoch = leaderEpoch;
        this.partitionEpoch = partitionEpoch;
        this.minInsyncReplicas = minInsyncReplicas;
        this.replicaLagTimeMaxMs = replicaLagTimeMaxMs;
        this.logEndOffset = logEndOffset;
        this.durableEndOffset = durableEndOffset;
        this.leaderEpochStartOffset = logEndOffset;
        this.highWatermark = highWatermark;
        for (int replica : replicas) {
            if (replica != leaderId) {
                followers.put(replica, new Follower(nowMs));
            }
        }
    }

    public long highWatermark() {
        return highWatermark;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    /** The ISR the controller committed. */
    public List<Integer> isr() {
        return isr;
    }

    public int partitionEpoch() {
        return partitionEpoch;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** The ISR change in flight to the controller, if any. */
    public Optional<IsrChange> pendingIsrChange() {
        return Optional.ofNullable(pending);
    }

    /** Every replica that is or may become in sync: the committed ISR plus a pending expansion. */
    public List<Integer> maximalIsr() {
        if (pending == null) {
            return isr;
        }
        List<Integer> union = new ArrayList<>();
        for (int replica : replicas) {
            if (isr.contains(replica) || pending.newIsr().contains(replica)) {
                union.add(replica);
            }
        }
        return union;
    }

    /** A follower's LEO as of its last fetch, or {@link #UNKNOWN}. */
    public long followerEndOffset(int followerId) {
        Follower follower = followers.get(followerId);
        if (follower == null) {
            throw new IllegalArgumentException(followerId + " is not a follower of this partition");
        }
        return follower.logEndOffset;
    }

    /** The leader appended up to {@code newLogEndOffset}, durably; returns whether the HW moved. */
    public boolean onLeaderAppend(long newLogEndOffset) {
        return onLeaderAppend(newLogEndOffset, newLogEndOffset);
    }

    /**
     * The leader appended up to {@code newLogEndOffset} and has flushed up to
     * {@code durableEndOffset} (at most the LEO); returns whether the HW moved.
     */
    public boolean onLeaderAppend(long newLogEndOffset, long durableEndOffset) {
        if (newLogEndOffset < logEndOffset) {
            throw new IllegalArgumentException("the leader's LEO cannot go back from " + logEndOffset + " to "
                    + newLogEndOffset);
        }
        logEndOffset = newLogEndOffset;
        return onLeaderFlushed(durableEndOffset);
    }

    /** The leader's log is durable below {@code offset} (a flush completed); returns whether the HW moved. */
    public boolean onLeaderFlushed(long offset) {
        if (offset > logEndOffset) {
            throw new IllegalArgumentException("durable end " + offset + " above the LEO " + logEndOffset);
        }
        durableEndOffset = Math.max(durableEndOffset, offset);
        return maybeAdvanceHighWatermark();
    }

    /** The leader's own durable end (what the HW counts for the leader). */
    public long durableEndOffset() {
        return durableEndOffset;
    }

    /**
     * A follower fetched at {@code fetchOffset}: it has every record below it. Returns whether the
     * HW moved.
     *
     * @throws IllegalArgumentException for an unknown follower or an offset past the leader's LEO
     *     (the caller answers such a fetch with an error instead)
     */
    public boolean onFollowerFetch(int followerId, long fetchOffset, long nowMs) {
        Follower follower = followers.get(followerId);
        if (follower == null) {
            throw new IllegalArgumentException(followerId + " is not a follower of this partition");
        }
        if (fetchOffset > logEndOffset || fetchOffset < 0) {
            throw new IllegalArgumentException("follower " + followerId + " fetches at " + fetchOffset
                    + ", outside the leader's log [0, " + logEndOffset + "]");
        }
        if (fetchOffset >= logEndOffset) {
            follower.lastCaughtUpMs = nowMs;
        } else if (follower.leaderEndOffsetAtLastFetch != UNKNOWN && fetchOffset >= follower.leaderEndOffsetAtLastFetch) {
            follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, follower.lastFetchMs);
        }
        follower.leaderEndOffsetAtLastFetch = logEndOffset;
        follower.lastFetchMs = nowMs;
        follower.logEndOffset = fetchOffset;
        return maybeAdvanceHighWatermark();
    }

    private boolean maybeAdvanceHighWatermark() {
        if (isr.size() < minInsyncReplicas) {
            return false;
        }
        long candidate = durableEndOffset;
        for (int replica : maximalIsr()) {
            if (replica != leaderId) {
                candidate = Math.min(candidate, followers.get(replica).logEndOffset);
            }
        }
        if (candidate > highWatermark) {
            highWatermark = candidate;
            return true;
        }
        return false;
    }

    /**
     * The ISR change to send to the controller now, if one is due and none is in flight: first
     * followers that were not caught up for more than {@code replica.lag.time.max.ms} leave; else
     * caught-up replicas outside the ISR join. The change is pending until committed or failed.
     */
    public Optional<IsrChange> proposeIsrChange(long nowMs) {
        if (pending != null) {
            return Optional.empty();
        }
        List<Integer> shrunk = new ArrayList<>();
        for (int replica : isr) {
            Follower follower = followers.get(replica);
            if (follower == null || nowMs - follower.lastCaughtUpMs <= replicaLagTimeMaxMs) {
                shrunk.add(replica);
            }
        }
        if (shrunk.size() < isr.size()) {
            pending = new IsrChange(shrunk, leaderEpoch, partitionEpoch);
            return Optional.of(pending);
        }
        List<Integer> expanded = new ArrayList<>();
        for (int replica : replicas) {
            Follower follower = followers.get(replica);
            // Caught up now, not only once: a follower that stopped fetching (cut off, paused) keeps
            // the LEO of its last fetch, which equals the HW while nothing is written; without the
            // recency check it would be shrunk out and proposed back in, again and again.
            boolean join = follower != null && !isr.contains(replica)
                    && follower.logEndOffset != UNKNOWN
                    && follower.logEndOffset >= highWatermark
                    && follower.logEndOffset >= leaderEpochStartOffset
                    && nowMs - follower.lastCaughtUpMs <= replicaLagTimeMaxMs;
            if (isr.contains(replica) || join) {
                expanded.add(replica);
            }
        }
        if (expanded.size() > isr.size()) {
            pending = new IsrChange(expanded, leaderEpoch, partitionEpoch);
            return Optional.of(pending);
        }
        return Optional.empty();
    }

    /**
     * The controller committed an ISR (the pending change, or another one: it is the source of
     * truth). Returns whether the HW moved.
     */
    public boolean onIsrChangeCommitted(List<Integer> committedIsr, int newPartitionEpoch) {
        Objects.requireNonNull(committedIsr, "committedIsr");
        if (!committedIsr.contains(leaderId)) {
            throw new IllegalArgumentException("the ISR " + committedIsr + " does not contain the leader " + leaderId);
        }
        isr = List.copyOf(committedIsr);
        partitionEpoch = newPartitionEpoch;
        pending = null;
        return maybeAdvanceHighWatermark();
    }

    /**
     * The topic's {@code min.insync.replicas} changed (an altered config applies at once, as in
     * Kafka). Returns whether the HW moved (a lower minimum can let a frozen HW advance).
     */
    public boolean onMinInsyncReplicasChanged(int newMinInsyncReplicas) {
        if (newMinInsyncReplicas < 1) {
            throw new IllegalArgumentException("min.insync.replicas must be at least 1: " + newMinInsyncReplicas);
        }
        minInsyncReplicas = newMinInsyncReplicas;
        return maybeAdvanceHighWatermark();
    }

    /** The pending change was refused or lost; the next {@link #proposeIsrChange} tries again. */
    public void onIsrChangeFailed() {
        pending = null;
    }

    /**
     * Whether a produce may be appended: with {@code acks=all} (-1) the ISR must have at least
     * {@code min.insync.replicas} replicas.
     */
    public ErrorCode checkBeforeAppend(int acks) {
        if (acks == -1 && isr.size() < minInsyncReplicas) {
            return ErrorCode.NOT_ENOUGH_REPLICAS;
        }
        return ErrorCode.NONE;
    }

    /**
     * Whether an acks=all batch ending at {@code lastOffset} is complete: DONE once the HW passed
     * it (every ISR replica has it, and the ISR had at least {@code min.insync.replicas} when the HW
     * moved); NOT_ENOUGH_REPLICAS_AFTER_APPEND when it is not committed and the ISR is now too small
     * for the HW to move (the batch is in the leader's log and may still be committed later);
     * otherwise WAITING.
     */
    public Completion completionOf(long lastOffset) {
        if (highWatermark > lastOffset) {
            return Completion.DONE;
        }
        return isr.size() < minInsyncReplicas ? Completion.NOT_ENOUGH_REPLICAS_AFTER_APPEND : Completion.WAITING;
    }
}
