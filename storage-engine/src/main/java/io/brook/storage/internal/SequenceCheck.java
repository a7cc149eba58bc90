package io.brook.storage.internal;

import io.brook.api.v1.ErrorCode;
import java.util.Objects;

/**
 * The verdict of {@link ProducerStateManager#check} on an idempotent batch before it is appended.
 *
 * <p>Immutable values; thread-safe.
 */
public sealed interface SequenceCheck {
    /** The one {@link Accepted} value (the record has no components, any instance is equal). */
    Accepted ACCEPTED = new Accepted();

    /** Append the batch. */
    record Accepted() implements SequenceCheck {
    }

    /**
     * A retry of a batch already in the log: do not append it again, answer the producer with the
     * original batch's offsets and max timestamp as if it had just been appended.
     */
    record Duplicate(long firstOffset, long lastOffset, long maxTimestamp) implements SequenceCheck {
    }

    /**
     * Do not append the batch; answer the producer with {@code error}. {@code message} names the
     * producer id, epochs and sequences involved, for the producer's log and the operator.
     */
    record Rejected(ErrorCode error, String message) implements SequenceCheck {
        public Rejected {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(message, "message");
        }
    }
}
