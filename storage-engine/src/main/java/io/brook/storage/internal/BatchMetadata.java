package io.brook.storage.internal;

/**
 * What the producer state remembers of one appended idempotent batch: enough to recognize a
 * retry of it (its sequence range) and to answer the retry with the original result (its offsets
 * and max timestamp) without appending it again.
 *
 * <p>Immutable value; thread-safe. Invariants: sequences are non-negative (they wrap from
 * 2^31-1 to 0, so {@code lastSequence} may be below {@code firstSequence});
 * {@code 0 <= firstOffset <= lastOffset}.
 */
public record BatchMetadata(int firstSequence, int lastSequence, long firstOffset, long lastOffset,
        long maxTimestamp) {
    public BatchMetadata {
        if (firstSequence < 0 || lastSequence < 0) {
            throw new IllegalArgumentException("sequences must be >= 0, got " + firstSequence + ".."
                    + lastSequence);
        }
        if (firstOffset < 0 || lastOffset < firstOffset) {
            throw new IllegalArgumentException("offsets must satisfy 0 <= first <= last, got " + firstOffset
                    + ".." + lastOffset);
        }
    }

    @Override
    public String toString() {
        return "(sequences " + firstSequence + ".." + lastSequence + " at offsets " + firstOffset + ".."
                + lastOffset + ", max timestamp " + maxTimestamp + ")";
    }
}
