package io.brook.replication;

/**
 * Where a follower truncates its log when it follows a new leader: by leader epochs, never
 * blindly to its high watermark (Kafka's KIP-101 and KIP-279). The follower asks the leader for
 * the end offset of its own latest epoch (OffsetForLeaderEpoch); the leader answers with the
 * largest epoch it has at or below that one and where that epoch ends in its log.
 *
 * <ul>
 *   <li>The leader knows the requested epoch: the logs agree up to the leader's end of that epoch;
 *       the follower truncates to the smaller of that and its own log end, and is done.
 *   <li>The leader only knows an older epoch E: the follower's records of epochs after E are not in
 *       the leader's log; it truncates to the smaller of the leader's end of E and its own end of E,
 *       and asks again with its new latest epoch. Epochs strictly decrease, so this ends, provided
 *       the caller's truncation drops the epochs recorded at or after the truncation point also when
 *       that point is its log end: a follower that led an epoch without writing in it has that epoch
 *       recorded at its log end, and if it stays, the same question gets the same answer for ever.
 *   <li>The leader knows no epoch at or below the requested one (its log is empty, or it has not yet
 *       recorded its own epoch): no decision; ask again later. A new leader records its epoch at
 *       its log end when it takes over, so this passes.
 * </ul>
 *
 * <p>Pure functions of the two answers; the caller does the truncation and the next request.
 */
public final class FollowerTruncation {
    private FollowerTruncation() {}

    /** An epoch and the offset where it ends in a log; {@link #UNDEFINED} when there is none. */
    public record EpochEnd(int epoch, long endOffset) {
        public static final EpochEnd UNDEFINED = new EpochEnd(-1, -1);

        public boolean isUndefined() {
            return epoch < 0 || endOffset < 0;
        }
    }

    /** A log's answer to "where does epoch E end": the largest epoch at or below E and its end. */
    @FunctionalInterface
    public interface EpochLookup {
        EpochEnd endOffsetFor(int epoch);
    }

    /**
     * One round's decision.
     *
     * @param truncateTo the follower's new log end (unchanged when it is already there); -1: none
     * @param done       whether the logs now agree (fetching can start at {@code truncateTo})
     */
    public record Step(long truncateTo, boolean done) {
        static final Step RETRY = new Step(-1, false);

        public boolean isRetry() {
            return truncateTo < 0;
        }
    }

    /**
     * The follower asked about {@code requestedEpoch} (its latest epoch) and the leader answered
     * {@code leaderAnswer}; {@code follower} looks up the follower's own epochs and
     * {@code followerLogEnd} is its log end.
     */
    public static Step afterLeaderAnswer(int requestedEpoch, EpochEnd leaderAnswer, EpochLookup follower,
            long followerLogEnd) {
        if (leaderAnswer.isUndefined()) {
            return Step.RETRY;
        }
        if (leaderAnswer.epoch() == requestedEpoch) {
            return new Step(Math.min(leaderAnswer.endOffset(), followerLogEnd), true);
        }
        if (leaderAnswer.epoch() > requestedEpoch) {
            throw new IllegalArgumentException("the leader answered epoch " + leaderAnswer.epoch()
                    + " to a request for " + requestedEpoch + ": it must be at or below it");
        }
        EpochEnd own = follower.endOffsetFor(leaderAnswer.epoch());
        long ownEnd = own.isUndefined() ? 0 : own.endOffset();
        return new Step(Math.min(Math.min(leaderAnswer.endOffset(), ownEnd), followerLogEnd), false);
    }
}
