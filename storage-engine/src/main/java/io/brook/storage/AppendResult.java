package io.brook.storage;

import io.brook.api.v1.ErrorCode;

/**
 * The outcome of appending batches to a partition log: appended with new offsets, recognised as a
 * duplicate of an earlier idempotent append (nothing written, the original offsets returned), or
 * rejected with an error code and nothing written.
 */
public sealed interface AppendResult {

    /**
     * The batches were written.
     *
     * @param firstOffset     offset of the first record appended
     * @param lastOffset      offset of the last record appended
     * @param logAppendTimeMs the append time stamped on the batches under {@code LogAppendTime},
     *                        else -1
     * @param recordCount     records appended
     * @param logStartOffset  the log start offset after the append
     */
    record Appended(long firstOffset, long lastOffset, long logAppendTimeMs, int recordCount,
                    long logStartOffset) implements AppendResult {
    }

    /**
     * An idempotent producer sent a batch the log already holds (same producer id, epoch and
     * sequences among the last five). Nothing was written; these are the original offsets.
     */
    record Duplicate(long firstOffset, long lastOffset, long maxTimestamp) implements AppendResult {
    }

    /** Nothing was written. The message names the partition and what to do. */
    record Rejected(ErrorCode error, String message) implements AppendResult {
    }
}
