package io.brook.storage.internal;

import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** TEMPORARY stand-in (helper-state): accepts everything, remembers nothing. */
public final class ProducerStateManager {
    public static final int MAX_CACHED_BATCHES = 5;
    private long mapEndOffset;

    public ProducerStateManager(FileIo io, Path partitionDirectory) {
    }

    public SequenceCheck check(long producerId, short producerEpoch, int firstSequence, int lastSequence) {
        return new SequenceCheck.Accepted();
    }

    public void update(long producerId, short producerEpoch, int firstSequence, int lastSequence,
                       long firstOffset, long lastOffset, long maxTimestamp) {
    }

    public long mapEndOffset() {
        return mapEndOffset;
    }

    public void updateMapEndOffset(long offset) {
        mapEndOffset = offset;
    }

    public void takeSnapshot() throws IOException {
    }

    public long truncateAndReload(long logStartOffset, long logEndOffset) throws IOException {
        mapEndOffset = logStartOffset;
        return logStartOffset;
    }

    public void deleteSnapshotsBefore(long offset) throws IOException {
    }

    public OptionalLong latestSnapshotOffset() {
        return OptionalLong.empty();
    }

    public List<Long> snapshotOffsets() {
        return List.of();
    }
}
