package io.brook.storage.internal;

import io.brook.api.v1.ErrorCode;

/** TEMPORARY stand-in (helper-state). */
public sealed interface SequenceCheck {
    record Accepted() implements SequenceCheck {
    }

    record Duplicate(long firstOffset, long lastOffset, long maxTimestamp) implements SequenceCheck {
    }

    record Rejected(ErrorCode error, String message) implements SequenceCheck {
    }
}
