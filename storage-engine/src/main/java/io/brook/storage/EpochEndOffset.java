package io.brook.storage;

/**
 * The answer to OffsetForLeaderEpoch: for a requested leader epoch, the largest epoch this log
 * knows that is not above it, and the offset where that epoch ended (the start offset of the next
 * epoch, or the log end offset if it is the latest). A follower truncates to {@code endOffset}.
 * As in Kafka, an epoch below the earliest one the log knows answers (that epoch, the start
 * offset of the earliest entry), and an epoch above the latest answers {@link #UNDEFINED}.
 *
 * @param leaderEpoch the epoch the end offset belongs to, or {@link #UNDEFINED_EPOCH}
 * @param endOffset   exclusive end of that epoch, or {@link #UNDEFINED_OFFSET}
 */
public record EpochEndOffset(int leaderEpoch, long endOffset) {
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1L;
    /** The log knows nothing at or below the requested epoch. */
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET);

    public boolean isUndefined() {
        return leaderEpoch == UNDEFINED_EPOCH;
    }
}
