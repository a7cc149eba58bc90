package io.brook.storage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state of one idempotent producer id in one partition: its current producer epoch and the
 * most recent batches it appended in that epoch (at most
 * {@link ProducerStateManager#MAX_CACHED_BATCHES}, oldest first), which is what duplicate and
 * sequence checks need.
 *
 * <p>Immutable value; thread-safe. Invariants: {@code producerId >= 0}, {@code producerEpoch >= 0},
 * {@code 1 <= batches.size() <= MAX_CACHED_BATCHES}, and the batches' offsets increase.
 */
public record ProducerStateEntry(long producerId, short producerEpoch, List<BatchMetadata> batches) {
    public ProducerStateEntry {
        if (producerId < 0) {
            throw new IllegalArgumentException("producer id must be >= 0, got " + producerId);
        }
        if (producerEpoch < 0) {
            throw new IllegalArgumentException("producer " + producerId + ": epoch must be >= 0, got "
                    + producerEpoch);
        }
        batches = List.copyOf(batches);
        if (batches.isEmpty() || batches.size() > ProducerStateManager.MAX_CACHED_BATCHES) {
            throw new IllegalArgumentException("producer " + producerId + ": between 1 and "
                    + ProducerStateManager.MAX_CACHED_BATCHES + " cached batches expected, got "
                    + batches.size());
        }
        for (int index = 1; index < batches.size(); index++) {
            if (batches.get(index).firstOffset() <= batches.get(index - 1).lastOffset()) {
                throw new IllegalArgumentException("producer " + producerId + ": batch " + batches.get(index)
                        + " does not follow " + batches.get(index - 1));
            }
        }
    }

    /** The most recently appended batch. */
    public BatchMetadata latestBatch() {
        return batches.get(batches.size() - 1);
    }

    /** The last sequence number appended; the next batch must start right after it. */
    public int lastSequence() {
        return latestBatch().lastSequence();
    }

    /** The offset of the last record this producer appended. */
    public long lastOffset() {
        return latestBatch().lastOffset();
    }

    /** The cached batch with exactly this sequence range, if any: a retry of it is a duplicate. */
    public Optional<BatchMetadata> findBatch(int firstSequence, int lastSequence) {
        for (BatchMetadata batch : batches) {
            if (batch.firstSequence() == firstSequence && batch.lastSequence() == lastSequence) {
                return Optional.of(batch);
            }
        }
        return Optional.empty();
    }

    /** This entry with {@code batch} appended, forgetting the oldest batch beyond the cache size. */
    ProducerStateEntry withBatch(BatchMetadata batch) {
        List<BatchMetadata> newBatches = new ArrayList<>(ProducerStateManager.MAX_CACHED_BATCHES + 1);
        newBatches.addAll(batches);
        newBatches.add(batch);
        if (newBatches.size() > ProducerStateManager.MAX_CACHED_BATCHES) {
            newBatches.remove(0);
        }
        return new ProducerStateEntry(producerId, producerEpoch, newBatches);
    }
}
