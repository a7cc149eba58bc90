package io.brook.replication;

import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.FollowerTruncation.EpochLookup;
import io.brook.replication.FollowerTruncation.Step;
import java.util.OptionalInt;

/**
 * A follower's view of one partition it follows: which leader and epoch, and whether its log is
 * reconciled with that leader's. A new leader (or epoch) means the log may have diverged: the
 * follower first asks where its latest epoch ends on the leader and truncates
 * ({@link FollowerTruncation}), possibly over several rounds, and only then fetches from its log
 * end. Its high watermark is the leader's, capped by its own log end.
 *
 * <p>Deterministic, not thread-safe: one thread owns a partition's state. The caller performs the
 * requests and the truncations it is told to, a truncation to its log end included (the epochs
 * recorded there go; see {@link FollowerTruncation}).
 */
public final class PartitionFollowerState {

    /** What the follower does next. */
    public sealed interface Action permits AskEpochEnd, Fetch {}

    /** Ask the leader where {@code epoch} (this log's latest) ends in its log (OffsetForLeaderEpoch). */
    public record AskEpochEnd(int epoch) implements Action {}

    /** Fetch from {@code offset}, telling the leader the epoch this follower follows. */
    public record Fetch(long offset, int leaderEpoch) implements Action {}

    private int leaderId;
    private int leaderEpoch;
    private boolean reconciled;
    private long highWatermark;

    public PartitionFollowerState(int leaderId, int leaderEpoch) {
        this.leaderId = leaderId;
        this.leaderEpoch = leaderEpoch;
    }

    public int leaderId() {
        return leaderId;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** Whether the log agrees with the current leader's up to its end (fetching may go on). */
    public boolean isReconciled() {
        return reconciled;
    }

    /** The metadata named a new leader or epoch: reconcile again before fetching. */
    public void onLeaderChange(int newLeaderId, int newLeaderEpoch) {
        if (newLeaderEpoch < leaderEpoch) {
            throw new IllegalArgumentException("leader epoch going back from " + leaderEpoch + " to " + newLeaderEpoch);
        }
        if (newLeaderEpoch != leaderEpoch || newLeaderId != leaderId) {
            leaderId = newLeaderId;
            leaderEpoch = newLeaderEpoch;
            reconciled = false;
        }
    }

    /** The next request, given this log's latest epoch and its end. */
    public Action next(OptionalInt latestLocalEpoch, long logEndOffset) {
        if (!reconciled && latestLocalEpoch.isEmpty()) {
            reconciled = true; // nothing to disagree about
        }
        return reconciled ? new Fetch(logEndOffset, leaderEpoch) : new AskEpochEnd(latestLocalEpoch.getAsInt());
    }

    /**
     * The leader answered an {@link AskEpochEnd}; the returned step says where to truncate (the
     * caller does it) and whether the log is now reconciled.
     */
    public Step onEpochEnd(int requestedEpoch, EpochEnd answer, EpochLookup local, long logEndOffset) {
        Step step = FollowerTruncation.afterLeaderAnswer(requestedEpoch, answer, local, logEndOffset);
        if (step.done()) {
            reconciled = true;
        }
        return step;
    }

    /** A fetch answer: the leader's high watermark; the follower's is capped by its log end. */
    public long onFetched(long leaderHighWatermark, long logEndOffset) {
        highWatermark = Math.max(highWatermark, Math.min(leaderHighWatermark, logEndOffset));
        return highWatermark;
    }

    public long highWatermark() {
        return highWatermark;
    }
}
