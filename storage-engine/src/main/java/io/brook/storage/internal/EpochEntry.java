package io.brook.storage.internal;

/**
 * One line of a partition's leader epoch history: leader epoch {@code epoch} wrote its first
 * batch at {@code startOffset}.
 *
 * <p>Immutable value; thread-safe. Invariant: both components are non-negative.
 */
public record EpochEntry(int epoch, long startOffset) {
    public EpochEntry {
        if (epoch < 0) {
            throw new IllegalArgumentException("leader epoch must be >= 0, got " + epoch);
        }
        if (startOffset < 0) {
            throw new IllegalArgumentException("start offset must be >= 0, got " + startOffset
                    + " (epoch " + epoch + ")");
        }
    }

    @Override
    public String toString() {
        return "(epoch " + epoch + " from offset " + startOffset + ")";
    }
}
