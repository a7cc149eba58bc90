package io.brook.api.records.testing;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.records.TimestampType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that goes into one batch: header fields and records (at consecutive offsets from
 * {@link #baseOffset}). {@link #build()} makes the bytes with {@link RecordBatchBuilder};
 * {@link #expectedRecords()} is what reading them back must give.
 *
 * <p>Immutable; thread-safe.
 *
 * @param logAppendTime the append time when {@code timestampType} is LogAppendTime, else ignored
 * @param producerId    {@link RecordBatch#NO_PRODUCER_ID} for a non-idempotent producer
 */
public record BatchSpec(CompressionType compression, long baseOffset, int partitionLeaderEpoch,
                        TimestampType timestampType, long logAppendTime, long producerId,
                        short producerEpoch, int baseSequence, boolean transactional,
                        List<RecordSpec> records) {
    public BatchSpec {
        records = List.copyOf(records);
    }

    /** A CreateTime batch at offset 0 without producer fields. */
    public static BatchSpec of(CompressionType compression, List<RecordSpec> records) {
        return new BatchSpec(compression, 0, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP, RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false, records);
    }

    public BatchSpec withBaseOffset(long newBaseOffset) {
        return new BatchSpec(compression, newBaseOffset, partitionLeaderEpoch, timestampType,
                logAppendTime, producerId, producerEpoch, baseSequence, transactional, records);
    }

    public BatchSpec withCompression(CompressionType newCompression) {
        return new BatchSpec(newCompression, baseOffset, partitionLeaderEpoch, timestampType,
                logAppendTime, producerId, producerEpoch, baseSequence, transactional, records);
    }

    /** The builder with this spec's header fields and records, not yet built. */
    public RecordBatchBuilder builder() {
        RecordBatchBuilder builder = new RecordBatchBuilder(compression)
                .baseOffset(baseOffset)
                .partitionLeaderEpoch(partitionLeaderEpoch)
                .producer(producerId, producerEpoch, baseSequence)
                .transactional(transactional);
        if (timestampType == TimestampType.LOG_APPEND_TIME) {
            builder.logAppendTime(logAppendTime);
        }
        for (RecordSpec record : records) {
            builder.append(record.timestamp(), record.key(), record.value(), record.headers());
        }
        return builder;
    }

    /** The batch's bytes: position 0, limit at its end. */
    public ByteBuffer build() {
        return builder().build();
    }

    public long lastOffset() {
        return baseOffset + records.size() - 1;
    }

    /** The max timestamp the header must carry. */
    public long expectedMaxTimestamp() {
        if (timestampType == TimestampType.LOG_APPEND_TIME) {
            return logAppendTime;
        }
        long max = RecordBatch.NO_TIMESTAMP;
        for (RecordSpec record : records) {
            max = Math.max(max, record.timestamp());
        }
        return max;
    }

    /** The records a reader must return, with offsets and (for LogAppendTime) the append time. */
    public List<Record> expectedRecords() {
        List<Record> expected = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            RecordSpec record = records.get(i);
            long timestamp = timestampType == TimestampType.LOG_APPEND_TIME ? logAppendTime : record.timestamp();
            expected.add(record.toRecord(baseOffset + i, timestamp));
        }
        return expected;
    }

    public int payloadBytes() {
        return records.stream().mapToInt(RecordSpec::payloadBytes).sum();
    }

    @Override
    public String toString() {
        return "BatchSpec(" + compression + ", baseOffset=" + baseOffset + ", epoch=" + partitionLeaderEpoch
                + ", " + timestampType + (timestampType == TimestampType.LOG_APPEND_TIME ? "@" + logAppendTime : "")
                + ", producer=" + producerId + "/" + producerEpoch + "/" + baseSequence
                + (transactional ? ", transactional" : "") + ", " + records.size() + " records, "
                + payloadBytes() + " payload bytes: "
                + (records.size() <= 10 ? records : records.subList(0, 10) + " and " + (records.size() - 10) + " more")
                + ")";
    }
}
