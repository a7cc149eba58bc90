package io.brook.storage;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Builds one record batch in Kafka's v2 format (see {@code FORMAT.md}): what a producer sends
 * and what compaction writes when it rewrites a batch.
 *
 * <p>Usage: set the header fields, {@link #append} records in offset order, then {@link #build()}
 * once. Not thread-safe.
 */
public final class RecordBatchBuilder {
    // TODO(format helper): implement.

    /** A builder for a batch compressed with {@code compression}, base offset 0, CreateTime. */
    public RecordBatchBuilder(CompressionType compression) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** A builder that keeps {@code original}'s header (base offset, last offset, epoch, codec,
     * timestamps, producer fields, attributes) and takes a subset of its records through
     * {@link #appendWithOffset}: what compaction uses to rewrite a batch without moving offsets. */
    public static RecordBatchBuilder retaining(RecordBatch original) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public RecordBatchBuilder baseOffset(long baseOffset) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public RecordBatchBuilder partitionLeaderEpoch(int epoch) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public RecordBatchBuilder timestampType(TimestampType type) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Producer id, epoch and the sequence of the first record (idempotence). */
    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public RecordBatchBuilder transactional(boolean transactional) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public RecordBatchBuilder control(boolean control) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Appends a record at the next offset (base offset + number of records so far). */
    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value, List<Header> headers) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Appends a record with no headers at the next offset. */
    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Appends a record at an explicit offset, greater than the previous record's. */
    public RecordBatchBuilder appendWithOffset(long offset, long timestamp, ByteBuffer key, ByteBuffer value,
                                               List<Header> headers) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public int recordCount() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Estimate of the built size (exact when uncompressed). */
    public int estimatedSizeInBytes() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The batch: a heap buffer with position 0 and limit at its end, CRC filled in. */
    public ByteBuffer build() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
