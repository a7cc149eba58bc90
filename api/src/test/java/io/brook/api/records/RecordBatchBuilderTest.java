package io.brook.api.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.testing.Batches;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What {@link RecordBatchBuilder} writes into the header, and what it refuses. */
class RecordBatchBuilderTest {

    @Test
    void writesEveryHeaderFieldAsSet() {
        ByteBuffer bytes = new RecordBatchBuilder(CompressionType.GZIP)
                .baseOffset(500).partitionLeaderEpoch(12).producer(77L, (short) 5, 1000)
                .transactional(true)
                .append(2_000L, bytes("k"), bytes("a")).append(1_000L, bytes("k"), bytes("b"))
                .append(3_000L, bytes("k"), bytes("c"))
                .build();
        RecordBatch batch = RecordBatch.wrap(bytes);

        batch.ensureValid();
        assertEquals(500, batch.baseOffset());
        assertEquals(bytes.limit() - RecordBatch.LOG_OVERHEAD, batch.batchLength());
        assertEquals(12, batch.partitionLeaderEpoch());
        assertEquals(RecordBatch.MAGIC, batch.magic());
        assertEquals(CompressionType.GZIP, batch.compressionType());
        assertEquals(TimestampType.CREATE_TIME, batch.timestampType());
        assertTrue(batch.isTransactional());
        assertFalse(batch.isControlBatch());
        assertFalse(batch.hasDeleteHorizon());
        assertEquals(2, batch.lastOffsetDelta());
        assertEquals(502, batch.lastOffset());
        assertEquals(2_000L, batch.baseTimestamp(), "base timestamp is the first record's, as in Kafka");
        assertEquals(3_000L, batch.maxTimestamp(), "max timestamp is the largest record timestamp");
        assertEquals(77L, batch.producerId());
        assertEquals(5, batch.producerEpoch());
        assertEquals(1000, batch.baseSequence());
        assertEquals(1002, batch.lastSequence());
        assertEquals(3, batch.recordCount());
        assertEquals(batch.computeChecksum(), batch.checksum());
    }

    @Test
    void defaultsToNoProducerNoEpochCreateTimeAndBaseOffsetZero() {
        RecordBatch batch = RecordBatch.wrap(Batches.of(CompressionType.NONE, "a"));

        assertEquals(0, batch.baseOffset());
        assertEquals(RecordBatch.NO_PARTITION_LEADER_EPOCH, batch.partitionLeaderEpoch());
        assertEquals(RecordBatch.NO_PRODUCER_ID, batch.producerId());
        assertEquals(RecordBatch.NO_PRODUCER_EPOCH, batch.producerEpoch());
        assertEquals(RecordBatch.NO_SEQUENCE, batch.baseSequence());
        assertEquals(RecordBatch.NO_SEQUENCE, batch.lastSequence());
        assertFalse(batch.hasProducerId());
        assertEquals(TimestampType.CREATE_TIME, batch.timestampType());
    }

    @Test
    void maxTimestampIsNoTimestampWhenNoRecordHasOne() {
        RecordBatch batch = RecordBatch.wrap(new RecordBatchBuilder(CompressionType.NONE)
                .append(RecordBatch.NO_TIMESTAMP, null, bytes("a")).build());

        assertEquals(RecordBatch.NO_TIMESTAMP, batch.maxTimestamp());
        assertEquals(RecordBatch.NO_TIMESTAMP, batch.iterator().next().timestamp());
    }

    @Test
    void appendAssignsConsecutiveOffsetsFromTheBaseOffset() {
        RecordBatch batch = RecordBatch.wrap(Batches.at(40, CompressionType.NONE, "a", "b", "c"));

        List<Long> offsets = new ArrayList<>();
        batch.forEach(record -> offsets.add(record.offset()));
        assertEquals(List.of(40L, 41L, 42L), offsets);
    }

    @Test
    void appendWithOffsetMayLeaveGapsAndTheLastOffsetFollowsTheLastRecord() {
        RecordBatch batch = RecordBatch.wrap(new RecordBatchBuilder(CompressionType.NONE).baseOffset(10)
                .appendWithOffset(10, 1L, null, buffer("a"), List.of())
                .appendWithOffset(15, 1L, null, buffer("b"), List.of())
                .append(1L, null, bytes("c"))
                .build());

        batch.ensureRecordsValid();
        List<Long> offsets = new ArrayList<>();
        batch.forEach(record -> offsets.add(record.offset()));
        assertEquals(List.of(10L, 15L, 16L), offsets);
        assertEquals(16, batch.lastOffset());
        assertEquals(3, batch.recordCount());
    }

    @Test
    void appendWithOffsetReadsKeysAndValuesWithoutMovingTheirPositions() {
        ByteBuffer key = buffer("key");
        ByteBuffer value = ByteBuffer.wrap(bytes("xxvalue")).position(2);

        Record record = RecordBatch.wrap(new RecordBatchBuilder(CompressionType.NONE)
                .appendWithOffset(0, 1L, key, value, null).build()).iterator().next();

        assertEquals(0, key.position());
        assertEquals(2, value.position());
        assertArrayEquals(bytes("value"), record.valueBytes());
        assertEquals(List.of(), record.headers(), "null headers mean none");
    }

    @Test
    void estimatedSizeIsExactForUncompressedBatches() {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
        assertEquals(RecordBatch.HEADER_SIZE, builder.estimatedSizeInBytes());
        builder.append(1L, bytes("k"), bytes("v"), List.of(Header.of("h", bytes("x"))));
        builder.append(2L, null, null);
        int estimate = builder.estimatedSizeInBytes();

        assertEquals(estimate, builder.build().remaining());
        assertEquals(2, builder.recordCount());
    }

    @Test
    void logAppendTimeSetsTheTypeAndTheMaxTimestamp() {
        RecordBatch batch = RecordBatch.wrap(new RecordBatchBuilder(CompressionType.NONE).logAppendTime(9_000L)
                .append(1_000L, null, bytes("a")).append(20_000L, null, bytes("b")).build());

        assertEquals(TimestampType.LOG_APPEND_TIME, batch.timestampType());
        assertEquals(9_000L, batch.maxTimestamp());
        assertEquals(1_000L, batch.baseTimestamp(), "record timestamps are still stored");
    }

    @Test
    void refusesLogAppendTimeBatchWithoutAnAppendTime() {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE)
                .timestampType(TimestampType.LOG_APPEND_TIME).append(1L, null, bytes("a"));

        assertThrows(IllegalStateException.class, builder::build);
    }

    @Test
    void deleteHorizonSetsItsBitAndBaseTimestampAndRecordsKeepTheirTimestamps() {
        RecordBatch batch = RecordBatch.wrap(new RecordBatchBuilder(CompressionType.SNAPPY).deleteHorizon(50_000L)
                .append(1_000L, bytes("k"), null).append(99_000L, bytes("j"), bytes("v")).build());

        assertTrue(batch.hasDeleteHorizon());
        assertEquals(50_000L, batch.baseTimestamp());
        assertEquals(99_000L, batch.maxTimestamp());
        List<Long> timestamps = new ArrayList<>();
        batch.forEach(record -> timestamps.add(record.timestamp()));
        assertEquals(List.of(1_000L, 99_000L), timestamps);
    }

    @Test
    void controlFlagIsStored() {
        RecordBatch batch = RecordBatch.wrap(new RecordBatchBuilder(CompressionType.NONE).producer(1L, (short) 0, -1)
                .transactional(true).control(true).append(1L, bytes("ctl"), bytes("marker")).build());

        assertTrue(batch.isControlBatch());
        assertTrue(batch.isTransactional());
    }

    @Test
    void lastSequenceWrapsFromIntegerMaxValueToZero() {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE)
                .producer(3L, (short) 0, Integer.MAX_VALUE - 1);
        for (int i = 0; i < 4; i++) {
            builder.append(i, null, bytes("v" + i));
        }
        RecordBatch batch = RecordBatch.wrap(builder.build());

        assertEquals(Integer.MAX_VALUE - 1, batch.baseSequence());
        assertEquals(1, batch.lastSequence());
        assertEquals(0, RecordBatch.incrementSequence(Integer.MAX_VALUE, 1));
        assertEquals(Integer.MAX_VALUE, RecordBatch.incrementSequence(Integer.MAX_VALUE - 3, 3));
    }

    @Test
    void refusesToBuildAnEmptyBatch() {
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder(CompressionType.LZ4).build());
    }

    @Test
    void refusesToBuildTwice() {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE).append(1L, null, bytes("a"));
        builder.build();

        assertThrows(IllegalStateException.class, builder::build);
        assertThrows(IllegalStateException.class, () -> builder.append(2L, null, bytes("b")));
    }

    @Test
    void refusesOffsetsThatDoNotIncrease() {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE).baseOffset(10)
                .appendWithOffset(12, 1L, null, buffer("a"), List.of());

        assertThrows(IllegalArgumentException.class,
                () -> builder.appendWithOffset(12, 1L, null, buffer("b"), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> builder.appendWithOffset(11, 1L, null, buffer("b"), List.of()));
    }

    @Test
    void refusesOffsetsBelowTheBaseOffsetOrBeyondAnIntDelta() {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE).baseOffset(10);

        assertThrows(IllegalArgumentException.class,
                () -> builder.appendWithOffset(9, 1L, null, buffer("a"), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> builder.appendWithOffset(10L + Integer.MAX_VALUE + 1, 1L, null, buffer("a"), List.of()));
    }

    @Test
    void refusesNegativeTimestampsOtherThanNoTimestamp() {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);

        assertThrows(IllegalArgumentException.class, () -> builder.append(-2L, null, bytes("a")));
    }

    @Test
    void refusesToMoveTheBaseOffsetOnceRecordsAreAppended() {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE).append(1L, null, bytes("a"));

        assertThrows(IllegalStateException.class, () -> builder.baseOffset(5));
        assertThrows(IllegalStateException.class, () -> builder.deleteHorizon(5));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void buildsAndReadsBackAOneMebibyteBatch(CompressionType codec) {
        byte[] value = new byte[64 * 1024];
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        RecordBatchBuilder builder = new RecordBatchBuilder(codec);
        for (int i = 0; i < 16; i++) {
            if (i % 2 == 0) {
                random.nextBytes(value);
            } else {
                Arrays.fill(value, (byte) i);
            }
            builder.append(i, null, value.clone());
        }
        RecordBatch batch = RecordBatch.wrap(builder.build());

        batch.ensureValid();
        batch.ensureRecordsValid();
        int total = 0;
        for (Record record : batch) {
            total += record.value().remaining();
        }
        assertEquals(16 * 64 * 1024, total);
    }

    // ---- retaining(): what compaction writes ----

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void retainingKeepsTheOriginalHeaderWhenLastRecordsAreDropped(CompressionType codec) {
        RecordBatch original = RecordBatch.wrap(new RecordBatchBuilder(codec).baseOffset(100)
                .partitionLeaderEpoch(4).producer(8L, (short) 2, 10).transactional(true)
                .append(5_000L, bytes("a"), bytes("1")).append(4_000L, bytes("b"), bytes("2"))
                .append(7_000L, bytes("a"), bytes("3")).append(6_000L, bytes("c"), bytes("4"))
                .build());
        List<Record> records = recordsOf(original);

        RecordBatchBuilder builder = RecordBatchBuilder.retaining(original);
        for (Record record : List.of(records.get(1), records.get(2))) {
            builder.appendWithOffset(record.offset(), record.timestamp(), record.key(), record.value(),
                    record.headers());
        }
        RecordBatch compacted = RecordBatch.wrap(builder.build());

        compacted.ensureValid();
        compacted.ensureRecordsValid();
        assertEquals(List.of(records.get(1), records.get(2)), recordsOf(compacted));
        assertEquals(100, compacted.baseOffset());
        assertEquals(3, compacted.lastOffsetDelta(), "the original last offset delta survives");
        assertEquals(103, compacted.lastOffset());
        assertEquals(104, compacted.nextOffset());
        assertEquals(2, compacted.recordCount());
        assertEquals(original.baseTimestamp(), compacted.baseTimestamp());
        assertEquals(original.maxTimestamp(), compacted.maxTimestamp());
        assertEquals(original.partitionLeaderEpoch(), compacted.partitionLeaderEpoch());
        assertEquals(original.producerId(), compacted.producerId());
        assertEquals(original.producerEpoch(), compacted.producerEpoch());
        assertEquals(original.baseSequence(), compacted.baseSequence());
        assertEquals(original.lastSequence(), compacted.lastSequence());
        assertEquals(original.attributes(), compacted.attributes());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void retainingEveryRecordReproducesTheOriginalBytes(CompressionType codec) {
        ByteBuffer bytes = Batches.keyed(9, codec, "k1", "a", "k2", null, "k3", "c");
        RecordBatch original = RecordBatch.wrap(bytes);

        RecordBatchBuilder builder = RecordBatchBuilder.retaining(original);
        for (Record record : original) {
            builder.appendWithOffset(record.offset(), record.timestamp(), record.key(), record.value(),
                    record.headers());
        }

        assertEquals(bytes, builder.build());
    }

    @Test
    void retainingLogAppendTimeBatchKeepsTheAppendTime() {
        ByteBuffer bytes = Batches.of(CompressionType.NONE, "a", "b");
        RecordBatch original = RecordBatch.wrap(bytes);
        original.setLogAppendTime(42_000L);
        Record second = recordsOf(original).get(1);

        RecordBatch compacted = RecordBatch.wrap(RecordBatchBuilder.retaining(original)
                .appendWithOffset(second.offset(), Batches.FIRST_TIMESTAMP + 1, null, second.value(), List.of())
                .build());

        assertEquals(TimestampType.LOG_APPEND_TIME, compacted.timestampType());
        assertEquals(42_000L, compacted.maxTimestamp());
        assertEquals(42_000L, compacted.iterator().next().timestamp());
    }

    @Test
    void retainingNoRecordsBuildsAnEmptyBatchThatKeepsProducerState() {
        RecordBatch original = RecordBatch.wrap(new RecordBatchBuilder(CompressionType.LZ4).baseOffset(20)
                .producer(5L, (short) 1, 7).append(1L, bytes("k"), null).append(2L, bytes("k"), null).build());

        ByteBuffer bytes = RecordBatchBuilder.retaining(original).build();
        RecordBatch empty = RecordBatch.wrap(bytes);

        empty.ensureValid();
        empty.ensureRecordsValid();
        assertEquals(RecordBatch.HEADER_SIZE, bytes.remaining());
        assertEquals(0, empty.recordCount());
        assertEquals(CompressionType.NONE, empty.compressionType(), "header-only, as Kafka writes it");
        assertEquals(20, empty.baseOffset());
        assertEquals(21, empty.lastOffset());
        assertEquals(5L, empty.producerId());
        assertEquals(8, empty.lastSequence());
        assertFalse(empty.iterator().hasNext());
    }

    @Test
    void retainingRefusesOffsetsOutsideTheOriginalBatch() {
        RecordBatch original = RecordBatch.wrap(Batches.at(10, CompressionType.NONE, "a", "b"));
        RecordBatchBuilder builder = RecordBatchBuilder.retaining(original);

        assertThrows(IllegalArgumentException.class,
                () -> builder.appendWithOffset(12, 1L, null, buffer("x"), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> builder.appendWithOffset(9, 1L, null, buffer("x"), List.of()));
    }

    @Test
    void retainingRefusesHeaderChangesButAcceptsADeleteHorizon() {
        RecordBatch original = RecordBatch.wrap(Batches.keyed(10, CompressionType.NONE, "k", null));
        RecordBatchBuilder builder = RecordBatchBuilder.retaining(original);

        assertThrows(IllegalStateException.class, () -> builder.baseOffset(0));
        assertThrows(IllegalStateException.class, () -> builder.partitionLeaderEpoch(3));
        assertThrows(IllegalStateException.class, () -> builder.producer(1L, (short) 1, 1));
        assertThrows(IllegalStateException.class, () -> builder.timestampType(TimestampType.LOG_APPEND_TIME));

        Record tombstone = original.iterator().next();
        RecordBatch rewritten = RecordBatch.wrap(builder.deleteHorizon(86_400_000L)
                .appendWithOffset(tombstone.offset(), tombstone.timestamp(), tombstone.key(), null, List.of())
                .build());
        assertTrue(rewritten.hasDeleteHorizon());
        assertEquals(86_400_000L, rewritten.baseTimestamp());
        Record read = rewritten.iterator().next();
        assertEquals(tombstone.timestamp(), read.timestamp());
        assertNull(read.value());
    }

    @Test
    void retainingRefusesAnOriginalThatIsNotAValidBatch() {
        ByteBuffer damaged = Batches.copy(Batches.of(CompressionType.NONE, "a"));
        damaged.put(damaged.limit() - 1, (byte) 0x55);

        RecordFormatException error = assertThrows(RecordFormatException.class,
                () -> RecordBatchBuilder.retaining(RecordBatch.wrap(damaged)));
        assertEquals(io.brook.api.v1.ErrorCode.CORRUPT_MESSAGE, error.errorCode());
    }

    private static List<Record> recordsOf(RecordBatch batch) {
        List<Record> records = new ArrayList<>();
        batch.forEach(records::add);
        return records;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer buffer(String text) {
        return ByteBuffer.wrap(bytes(text));
    }
}
