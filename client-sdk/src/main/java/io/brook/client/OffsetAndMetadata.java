package io.brook.client;

import java.util.Optional;

/**
 * A committed position: the next offset to consume, the leader epoch of the last record consumed
 * (empty when unknown), and free-form metadata (at most {@code offset.metadata.max.bytes} bytes).
 */
public record OffsetAndMetadata(long offset, Optional<Integer> leaderEpoch, String metadata) {
    public OffsetAndMetadata {
        if (offset < 0) {
            throw new IllegalArgumentException("Invalid negative offset " + offset);
        }
        leaderEpoch = leaderEpoch == null ? Optional.empty() : leaderEpoch;
        metadata = metadata == null ? "" : metadata;
    }

    public OffsetAndMetadata(long offset) {
        this(offset, Optional.empty(), "");
    }

    public OffsetAndMetadata(long offset, String metadata) {
        this(offset, Optional.empty(), metadata);
    }
}
