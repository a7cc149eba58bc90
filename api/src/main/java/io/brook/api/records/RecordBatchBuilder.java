package io.brook.api.records;

import io.brook.api.records.internal.ByteArrayOutput;
import io.brook.api.records.internal.Compression;
import io.brook.api.records.internal.RecordCodec;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Builds one record batch in Kafka's v2 format (see {@code storage-engine/FORMAT.md}): what a producer sends
 * and what compaction writes when it rewrites a batch.
 *
 * <p>Usage: set the header fields, {@link #append} records in offset order, then {@link #build()}
 * once. Not thread-safe.
 *
 * <p>What the builder derives, as Kafka's {@code MemoryRecordsBuilder} does (an uncompressed batch
 * is byte for byte the one Kafka builds from the same inputs):
 * <ul>
 *   <li>base timestamp: the first record's timestamp, or the delete horizon if one is set;
 *   <li>max timestamp: the largest record timestamp (and never below {@link RecordBatch#NO_TIMESTAMP})
 *       for CreateTime, the append time for LogAppendTime;
 *   <li>last offset delta: the last record's offset minus the base offset;
 *   <li>record count: the records appended.
 * </ul>
 *
 * <p>Record timestamps must be {@link RecordBatch#NO_TIMESTAMP} or more: Kafka rejects other
 * negative timestamps at the producer. Records are encoded as they are appended (the caller may
 * reuse its arrays afterwards); the records section is compressed in {@link #build()}.
 *
 * <p>Implementation notes: records are written uncompressed into one growable array behind 61
 * reserved bytes. For {@link CompressionType#NONE} the header is then written into those bytes
 * and the same array becomes the batch: no copy. Otherwise the records are compressed, in one
 * pass, into a second array that also starts with 61 reserved bytes.
 */
public final class RecordBatchBuilder {
    private static final int INITIAL_CAPACITY = 512;

    private final CompressionType compression;
    /** The batch being rewritten by compaction, or null for a new batch. */
    private final RecordBatch original;
    private final ByteArrayOutput records;

    private long baseOffset = 0;
    private int partitionLeaderEpoch = RecordBatch.NO_PARTITION_LEADER_EPOCH;
    private TimestampType timestampType = TimestampType.CREATE_TIME;
    private boolean logAppendTimeSet;
    private long logAppendTime = RecordBatch.NO_TIMESTAMP;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;
    private boolean transactional;
    private boolean control;
    private boolean deleteHorizonSet;

    /** Meaningful once a record is appended, a delete horizon set, or for a retaining builder. */
    private long baseTimestamp;
    private boolean baseTimestampFixed;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private int recordCount;
    private long lastOffset = Long.MIN_VALUE;
    private boolean built;

    /** A builder for a batch compressed with {@code compression}, base offset 0, CreateTime. */
    public RecordBatchBuilder(CompressionType compression) {
        this(compression, null);
    }

    private RecordBatchBuilder(CompressionType compression, RecordBatch original) {
        if (compression == null) {
            throw new NullPointerException("compression");
        }
        this.compression = compression;
        this.original = original;
        this.records = new ByteArrayOutput(INITIAL_CAPACITY);
        this.records.skip(RecordBatch.HEADER_SIZE);
    }

    /** A builder that keeps {@code original}'s header (base offset, last offset, epoch, codec,
     * timestamps, producer fields, attributes) and takes a subset of its records through
     * {@link #appendWithOffset}: what compaction uses to rewrite a batch without moving offsets.
     *
     * <p>Offsets must lie within the original batch and timestamps are taken as they are (they
     * were accepted once already). Only {@link #deleteHorizon} may change the header; the other
     * setters throw {@link IllegalStateException}. Unlike a new builder, a retaining builder may
     * build with no records: as in Kafka, an emptied batch is kept header-only (codec
     * {@link CompressionType#NONE}, record count 0) when the producer state it carries (producer
     * id, epoch, last sequence) must survive compaction.
     *
     * @throws RecordFormatException if {@code original} fails {@link RecordBatch#ensureValid()} */
    public static RecordBatchBuilder retaining(RecordBatch original) {
        original.ensureValid();
        RecordBatchBuilder builder = new RecordBatchBuilder(original.compressionType(), original);
        builder.baseOffset = original.baseOffset();
        builder.partitionLeaderEpoch = original.partitionLeaderEpoch();
        builder.timestampType = original.timestampType();
        builder.logAppendTimeSet = original.timestampType() == TimestampType.LOG_APPEND_TIME;
        builder.logAppendTime = original.maxTimestamp();
        builder.producerId = original.producerId();
        builder.producerEpoch = original.producerEpoch();
        builder.baseSequence = original.baseSequence();
        builder.transactional = original.isTransactional();
        builder.control = original.isControlBatch();
        builder.deleteHorizonSet = original.hasDeleteHorizon();
        builder.baseTimestamp = original.baseTimestamp();
        builder.baseTimestampFixed = true;
        builder.maxTimestamp = original.maxTimestamp();
        return builder;
    }

    /** The offset of the first record. Set it before appending: offsets are stored relative to it. */
    public RecordBatchBuilder baseOffset(long baseOffset) {
        ensureHeaderChangeable("base offset");
        if (recordCount > 0) {
            throw new IllegalStateException("set the base offset before appending records: they are"
                    + " stored relative to it");
        }
        if (baseOffset < 0) {
            throw new IllegalArgumentException("negative base offset " + baseOffset);
        }
        this.baseOffset = baseOffset;
        return this;
    }

    public RecordBatchBuilder partitionLeaderEpoch(int epoch) {
        ensureHeaderChangeable("partition leader epoch");
        this.partitionLeaderEpoch = epoch;
        return this;
    }

    /**
     * CreateTime or LogAppendTime. For LogAppendTime also call {@link #logAppendTime(long)}
     * (which sets the type itself), or {@link #build()} refuses: every record of such a batch
     * reads the append time, so there is no sensible default.
     */
    public RecordBatchBuilder timestampType(TimestampType type) {
        ensureHeaderChangeable("timestamp type");
        if (type == null) {
            throw new NullPointerException("timestamp type");
        }
        this.timestampType = type;
        return this;
    }

    /**
     * Makes this a LogAppendTime batch stamped at {@code appendTimeMs}: the max timestamp field,
     * which every record reads as its timestamp. Record timestamps are still stored as given.
     */
    public RecordBatchBuilder logAppendTime(long appendTimeMs) {
        ensureHeaderChangeable("log append time");
        this.timestampType = TimestampType.LOG_APPEND_TIME;
        this.logAppendTimeSet = true;
        this.logAppendTime = appendTimeMs;
        return this;
    }

    /** Producer id, epoch and the sequence of the first record (idempotence). */
    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        ensureHeaderChangeable("producer fields");
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    public RecordBatchBuilder transactional(boolean transactional) {
        ensureHeaderChangeable("transactional flag");
        this.transactional = transactional;
        return this;
    }

    public RecordBatchBuilder control(boolean control) {
        ensureHeaderChangeable("control flag");
        this.control = control;
        return this;
    }

    /**
     * Stores a compaction delete horizon (KIP-534): sets attribute bit 6 and puts
     * {@code deleteHorizonMs} in the base timestamp field; record timestamps are then stored
     * relative to it and still read back unchanged. Allowed on a retaining builder, but only
     * before any record is appended.
     */
    public RecordBatchBuilder deleteHorizon(long deleteHorizonMs) {
        if (built) {
            throw new IllegalStateException("build() was already called");
        }
        if (recordCount > 0) {
            throw new IllegalStateException("set the delete horizon before appending records: their"
                    + " timestamps are stored relative to it");
        }
        this.deleteHorizonSet = true;
        this.baseTimestamp = deleteHorizonMs;
        this.baseTimestampFixed = true;
        return this;
    }

    /**
     * Appends a record at the next offset: the base offset for the first record, then one past
     * the previous record's offset.
     */
    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value, List<Header> headers) {
        long offset = recordCount == 0 ? baseOffset : lastOffset + 1;
        return appendWithOffset(offset, timestamp, key == null ? null : ByteBuffer.wrap(key),
                value == null ? null : ByteBuffer.wrap(value), headers);
    }

    /** Appends a record with no headers at the next offset. */
    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value) {
        return append(timestamp, key, value, List.of());
    }

    /**
     * Appends a record at an explicit offset, greater than the previous record's. Keys and values
     * are their remaining bytes; their positions are not moved. Null headers mean none.
     */
    public RecordBatchBuilder appendWithOffset(long offset, long timestamp, ByteBuffer key, ByteBuffer value,
                                               List<Header> headers) {
        if (built) {
            throw new IllegalStateException("build() was already called");
        }
        if (recordCount > 0 && offset <= lastOffset) {
            throw new IllegalArgumentException("offset " + offset + " does not follow the previous"
                    + " record's offset " + lastOffset);
        }
        if (offset < baseOffset || offset - baseOffset > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " is outside what a batch with"
                    + " base offset " + baseOffset + " can hold");
        }
        if (original != null && offset > original.lastOffset()) {
            throw new IllegalArgumentException("offset " + offset + " is beyond the original batch's"
                    + " last offset " + original.lastOffset());
        }
        if (original == null && timestamp < RecordBatch.NO_TIMESTAMP) {
            throw new IllegalArgumentException("invalid timestamp " + timestamp
                    + ": must be -1 (no timestamp) or more");
        }
        if (!baseTimestampFixed) {
            baseTimestamp = timestamp;
            baseTimestampFixed = true;
        }
        // Subtraction wraps for extreme pairs; the reader's addition wraps back to the same value.
        RecordCodec.writeRecord(records, (int) (offset - baseOffset), timestamp - baseTimestamp,
                key, value, headers == null ? List.of() : headers);
        if (original == null && timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
        lastOffset = offset;
        recordCount++;
        return this;
    }

    public int recordCount() {
        return recordCount;
    }

    /**
     * Estimate of the built size (exact when uncompressed). For a compressed batch it is the
     * uncompressed size, which compression usually makes smaller.
     */
    public int estimatedSizeInBytes() {
        return records.size();
    }

    /** The batch: a heap buffer with position 0 and limit at its end, CRC filled in. */
    public ByteBuffer build() {
        if (built) {
            throw new IllegalStateException("build() was already called");
        }
        if (recordCount == 0 && original == null) {
            throw new IllegalStateException("a record batch needs at least one record");
        }
        if (timestampType == TimestampType.LOG_APPEND_TIME && !logAppendTimeSet) {
            throw new IllegalStateException("a LogAppendTime batch needs its append time: call"
                    + " logAppendTime(ms)");
        }
        built = true;

        ByteArrayOutput batch;
        CompressionType written = compression;
        if (recordCount == 0) {
            batch = records;
            written = CompressionType.NONE;
        } else if (compression == CompressionType.NONE) {
            batch = records;
        } else {
            int uncompressedLength = records.size() - RecordBatch.HEADER_SIZE;
            batch = new ByteArrayOutput(RecordBatch.HEADER_SIZE + uncompressedLength / 2 + 64);
            batch.skip(RecordBatch.HEADER_SIZE);
            Compression.compress(compression, records.array(), RecordBatch.HEADER_SIZE, uncompressedLength,
                    batch);
        }
        ByteBuffer buffer = ByteBuffer.wrap(batch.array(), 0, batch.size()).slice();
        writeHeader(buffer, written);
        return buffer;
    }

    private void writeHeader(ByteBuffer buffer, CompressionType written) {
        int lastOffsetDelta = original != null ? original.lastOffsetDelta() : (int) (lastOffset - baseOffset);
        long batchMaxTimestamp = timestampType == TimestampType.LOG_APPEND_TIME ? logAppendTime : maxTimestamp;
        // A retaining builder left empty never saw a timestamp; an empty batch keeps the original's.
        long batchBaseTimestamp = baseTimestampFixed ? baseTimestamp : RecordBatch.NO_TIMESTAMP;

        int attributes = written.id;
        if (timestampType == TimestampType.LOG_APPEND_TIME) {
            attributes |= RecordBatch.TIMESTAMP_TYPE_MASK;
        }
        if (transactional) {
            attributes |= RecordBatch.TRANSACTIONAL_MASK;
        }
        if (control) {
            attributes |= RecordBatch.CONTROL_MASK;
        }
        if (deleteHorizonSet) {
            attributes |= RecordBatch.DELETE_HORIZON_MASK;
        }

        buffer.putLong(RecordBatch.BASE_OFFSET, baseOffset);
        buffer.putInt(RecordBatch.BATCH_LENGTH, buffer.limit() - RecordBatch.LOG_OVERHEAD);
        buffer.putInt(RecordBatch.PARTITION_LEADER_EPOCH, partitionLeaderEpoch);
        buffer.put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
        buffer.putShort(RecordBatch.ATTRIBUTES, (short) attributes);
        buffer.putInt(RecordBatch.LAST_OFFSET_DELTA, lastOffsetDelta);
        buffer.putLong(RecordBatch.BASE_TIMESTAMP, batchBaseTimestamp);
        buffer.putLong(RecordBatch.MAX_TIMESTAMP, batchMaxTimestamp);
        buffer.putLong(RecordBatch.PRODUCER_ID, producerId);
        buffer.putShort(RecordBatch.PRODUCER_EPOCH, producerEpoch);
        buffer.putInt(RecordBatch.BASE_SEQUENCE, baseSequence);
        buffer.putInt(RecordBatch.RECORD_COUNT, recordCount);
        buffer.putInt(RecordBatch.CRC, (int) RecordBatch.checksumOf(buffer));
    }

    private void ensureHeaderChangeable(String field) {
        if (built) {
            throw new IllegalStateException("build() was already called");
        }
        if (original != null) {
            throw new IllegalStateException("a batch rewritten by compaction keeps its original " + field);
        }
    }
}
