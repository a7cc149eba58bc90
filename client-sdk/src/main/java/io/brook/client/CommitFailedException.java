package io.brook.client;

import io.brook.api.v1.ErrorCode;

/**
 * The coordinator refused a commit because this consumer is no longer the member it was (removed
 * after its session or {@code max.poll.interval.ms} ran out, or behind the group's epoch): its
 * partitions may be another member's now, and nothing was committed. The consumer rejoins at its
 * next poll.
 */
public class CommitFailedException extends BrookException {
    public CommitFailedException(ErrorCode errorCode, String message) {
        super(errorCode, message);
    }
}
