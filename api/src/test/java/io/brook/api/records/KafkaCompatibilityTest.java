package io.brook.api.records;

import static io.brook.api.records.testing.BatchGenerators.batchSpecs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import io.brook.api.records.testing.BatchSpec;
import io.brook.api.records.testing.Batches;
import io.brook.api.records.testing.RecordSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Brook's batches are Kafka's: kafka-clients 4.4.0 (test scope only) reads every batch we build,
 * we read every batch it builds, for every codec, and the contents agree field by field. Where
 * both sides use the same deterministic encoder (uncompressed; and each codec at Kafka's default
 * level and framing) the bytes are identical.
 *
 * <p>In kafka-clients 4.x the record classes live in {@code org.apache.kafka.common.record.internal}.
 */
class KafkaCompatibilityTest {
    private static final byte KAFKA_MAGIC = 2;

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void kafkaReadsOurBatchesWithEqualHeaderAndRecords(CompressionType codec) {
        BatchSpec spec = sampleSpec(codec);
        ByteBuffer ours = spec.build();

        MutableRecordBatch kafka = onlyKafkaBatch(ours);
        kafka.ensureValid();
        assertKafkaHeaderMatches(spec, kafka);
        assertEquals(spec.expectedRecords(), kafkaRecords(kafka));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void weReadKafkaBatchesWithEqualHeaderAndRecords(CompressionType codec) {
        BatchSpec spec = sampleSpec(codec);
        ByteBuffer kafkaBytes = kafkaBuild(spec);

        RecordBatch batch = RecordBatch.wrap(kafkaBytes);
        batch.ensureValid();
        batch.ensureRecordsValid();
        assertOurHeaderMatches(spec, batch);
        assertEquals(spec.expectedRecords(), records(batch));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void ourBytesAreIdenticalToKafkasForTheSameInputs(CompressionType codec) {
        BatchSpec spec = sampleSpec(codec);
        assertSameBytes(kafkaBuild(spec), spec.build());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void ourBytesAreIdenticalToKafkasForBatchesLargerThanOneCodecBlock(CompressionType codec) {
        // 300 KiB spans several 64 KiB LZ4 blocks, 32 KiB snappy chunks and zstd/gzip buffers; half
        // the values are random so some LZ4 blocks are stored uncompressed.
        List<RecordSpec> records = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 30; i++) {
            byte[] value = new byte[10 * 1024];
            if (i % 2 == 0) {
                random.nextBytes(value);
            } else {
                Arrays.fill(value, (byte) i);
            }
            records.add(RecordSpec.of(Batches.FIRST_TIMESTAMP + i, ("key-" + i).getBytes(StandardCharsets.UTF_8), value));
        }
        BatchSpec spec = BatchSpec.of(codec, records);
        assertSameBytes(kafkaBuild(spec), spec.build());
    }

    @Test
    void logAppendTimeBatchesAreIdenticalAndReadTheAppendTimeInKafka() {
        ByteBuffer ours = new RecordBatchBuilder(CompressionType.NONE).logAppendTime(5_000L)
                .append(1_000L, null, bytes("a")).append(2_000L, null, bytes("b")).build();
        MemoryRecordsBuilder kafka = MemoryRecords.builder(ByteBuffer.allocate(256), KAFKA_MAGIC,
                Compression.NONE, org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, 0L, 5_000L,
                RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        kafka.append(1_000L, null, bytes("a"));
        kafka.append(2_000L, null, bytes("b"));

        assertSameBytes(kafka.build().buffer(), ours);
        for (org.apache.kafka.common.record.internal.Record record : onlyKafkaBatch(ours)) {
            assertEquals(5_000L, record.timestamp());
        }
    }

    @Test
    void brokerStampedLogAppendTimeIsReadByKafka() {
        ByteBuffer bytes = Batches.of(CompressionType.LZ4, "a", "b");
        RecordBatch.wrap(bytes).setLogAppendTime(9_999L);

        MutableRecordBatch kafka = onlyKafkaBatch(bytes);
        kafka.ensureValid();
        assertEquals(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, kafka.timestampType());
        for (org.apache.kafka.common.record.internal.Record record : kafka) {
            assertEquals(9_999L, record.timestamp());
        }
    }

    @Test
    void kafkaAgreesOnSequenceWraparound() {
        ByteBuffer ours = new RecordBatchBuilder(CompressionType.NONE)
                .producer(7L, (short) 1, Integer.MAX_VALUE - 1)
                .append(1L, null, bytes("a")).append(2L, null, bytes("b"))
                .append(3L, null, bytes("c")).append(4L, null, bytes("d")).build();

        MutableRecordBatch kafka = onlyKafkaBatch(ours);
        assertEquals(1, kafka.lastSequence());
        assertEquals(kafka.lastSequence(), RecordBatch.wrap(ours).lastSequence());
        List<Integer> sequences = new ArrayList<>();
        for (org.apache.kafka.common.record.internal.Record record : kafka) {
            sequences.add(record.sequence());
        }
        assertEquals(List.of(Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0, 1), sequences);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void kafkaReadsBatchesRewrittenByCompactionWithOffsetGaps(CompressionType codec) {
        ByteBuffer original = Batches.keyed(100, codec, "k1", "a", "k2", "b", "k1", "c", "k3", "d");
        RecordBatch originalBatch = RecordBatch.wrap(original);
        List<Record> records = records(originalBatch);
        RecordBatchBuilder retained = RecordBatchBuilder.retaining(originalBatch);
        for (Record record : List.of(records.get(1), records.get(2))) {
            retained.appendWithOffset(record.offset(), record.timestamp(), record.key(), record.value(),
                    record.headers());
        }
        ByteBuffer compacted = retained.build();

        MutableRecordBatch kafka = onlyKafkaBatch(compacted);
        kafka.ensureValid();
        assertEquals(100, kafka.baseOffset());
        assertEquals(103, kafka.lastOffset());
        assertEquals(2, kafka.countOrNull());
        assertEquals(List.of(records.get(1), records.get(2)), kafkaRecords(kafka));
    }

    @Test
    void kafkaReadsEmptyBatchKeptForProducerState() {
        ByteBuffer original = new RecordBatchBuilder(CompressionType.ZSTD).baseOffset(50)
                .producer(9L, (short) 3, 40).append(1L, bytes("k"), null).append(2L, bytes("k"), null).build();
        ByteBuffer emptied = RecordBatchBuilder.retaining(RecordBatch.wrap(original)).build();

        MutableRecordBatch kafka = onlyKafkaBatch(emptied);
        kafka.ensureValid();
        assertEquals(0, kafka.countOrNull());
        assertEquals(51, kafka.lastOffset());
        assertEquals(41, kafka.lastSequence());
        assertEquals(9L, kafka.producerId());
        assertFalse(kafka.iterator().hasNext());
    }

    @Test
    void deleteHorizonBatchesAreIdenticalToKafkas() {
        ByteBuffer ours = new RecordBatchBuilder(CompressionType.NONE).deleteHorizon(77_000L)
                .append(1_000L, bytes("k"), null).append(90_000L, bytes("j"), bytes("v")).build();
        MemoryRecordsBuilder kafka = new MemoryRecordsBuilder(new ByteBufferOutputStream(256), KAFKA_MAGIC,
                Compression.NONE, org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0L,
                RecordBatch.NO_TIMESTAMP, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, false, false, RecordBatch.NO_PARTITION_LEADER_EPOCH, 1 << 20, 77_000L);
        kafka.append(1_000L, bytes("k"), null);
        kafka.append(90_000L, bytes("j"), bytes("v"));

        assertSameBytes(kafka.build().buffer(), ours);
        MutableRecordBatch read = onlyKafkaBatch(ours);
        assertEquals(77_000L, read.deleteHorizonMs().orElseThrow());
        assertTrue(RecordBatch.wrap(ours).hasDeleteHorizon());
    }

    /** Property: for arbitrary batches, Kafka reads what we build with equal header and records. */
    @Test
    void kafkaReadsArbitraryBatchesWeBuild() {
        // Replay a failure with -Dqt.seed=<seed printed in the failure>, or .withFixedSeed(seed).
        qt().withExamples(40).forAll(batchSpecs()).checkAssert(spec -> {
            MutableRecordBatch kafka = onlyKafkaBatch(spec.build());
            kafka.ensureValid();
            assertKafkaHeaderMatches(spec, kafka);
            assertEquals(spec.expectedRecords(), kafkaRecords(kafka));
        });
    }

    /** Property: for arbitrary batches, Kafka's builder and ours produce the same bytes. */
    @Test
    void kafkaBuildsArbitraryBatchesToTheSameBytesAsWe() {
        qt().withExamples(40).forAll(batchSpecs()).checkAssert(spec -> {
            ByteBuffer kafka = kafkaBuild(spec);
            RecordBatch ours = RecordBatch.wrap(kafka);
            ours.ensureValid();
            ours.ensureRecordsValid();
            assertEquals(spec.expectedRecords(), records(ours));
            assertSameBytes(kafka, spec.build());
        });
    }

    // ---- fixtures ----

    /** Headers (one repeated key, one null value), a null key, a tombstone, producer fields. */
    private static BatchSpec sampleSpec(CompressionType codec) {
        List<RecordSpec> records = List.of(
                new RecordSpec(1_700_000_000_000L, bytes("user-1"), bytes("{\"clicks\":1}"),
                        List.of(Header.of("trace", bytes("t-1")), Header.of("trace", bytes("t-2")))),
                new RecordSpec(1_700_000_000_500L, null, bytes("no key"), List.of(Header.of("nullable", null))),
                new RecordSpec(1_699_999_999_000L, bytes("user-2"), null, List.of()),
                new RecordSpec(RecordBatch.NO_TIMESTAMP, bytes(""), bytes(""), List.of(Header.of("ключ", bytes("значение")))));
        return new BatchSpec(codec, 1_000L, 7, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                123_456L, (short) 2, 40, true, records);
    }

    static ByteBuffer kafkaBuild(BatchSpec spec) {
        org.apache.kafka.common.record.TimestampType timestampType = spec.timestampType() == TimestampType.CREATE_TIME
                ? org.apache.kafka.common.record.TimestampType.CREATE_TIME
                : org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME;
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), KAFKA_MAGIC,
                Compression.of(spec.compression().configName).build(), timestampType, spec.baseOffset(),
                spec.logAppendTime(), spec.producerId(), spec.producerEpoch(), spec.baseSequence(),
                spec.transactional(), spec.partitionLeaderEpoch());
        long offset = spec.baseOffset();
        for (RecordSpec record : spec.records()) {
            org.apache.kafka.common.header.Header[] headers = record.headers().stream()
                    .map(header -> new RecordHeader(header.key(), header.valueBytes()))
                    .toArray(org.apache.kafka.common.header.Header[]::new);
            builder.appendWithOffset(offset++, record.timestamp(), record.key(), record.value(), headers);
        }
        return builder.build().buffer();
    }

    /** Equal bytes, or a failure naming the first difference (full hex dumps would be unreadable). */
    static void assertSameBytes(ByteBuffer kafka, ByteBuffer ours) {
        int mismatch = kafka.duplicate().mismatch(ours.duplicate());
        if (mismatch >= 0) {
            int from = Math.max(0, mismatch - 8);
            throw new AssertionError("bytes differ from Kafka's at byte " + mismatch + " (Kafka " + kafka.remaining()
                    + " bytes, ours " + ours.remaining() + "); from byte " + from + ": Kafka "
                    + hexWindow(kafka, from) + ", ours " + hexWindow(ours, from));
        }
    }

    private static String hexWindow(ByteBuffer bytes, int from) {
        ByteBuffer window = bytes.duplicate();
        window.position(bytes.position() + Math.min(from, bytes.remaining()));
        window.limit(Math.min(window.limit(), window.position() + 24));
        return Batches.hex(window);
    }

    private static MutableRecordBatch onlyKafkaBatch(ByteBuffer bytes) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(bytes.duplicate()).batches().forEach(batches::add);
        assertEquals(1, batches.size(), "batches Kafka sees");
        return batches.get(0);
    }

    private static List<Record> kafkaRecords(MutableRecordBatch batch) {
        List<Record> records = new ArrayList<>();
        for (org.apache.kafka.common.record.internal.Record record : batch) {
            List<Header> headers = Arrays.stream(record.headers())
                    .map(header -> Header.of(header.key(), header.value())).toList();
            records.add(new Record(record.offset(), record.timestamp(), record.key(), record.value(), headers));
        }
        return records;
    }

    private static List<Record> records(RecordBatch batch) {
        List<Record> records = new ArrayList<>();
        batch.forEach(records::add);
        return records;
    }

    private static void assertKafkaHeaderMatches(BatchSpec spec, MutableRecordBatch kafka) {
        assertEquals(spec.baseOffset(), kafka.baseOffset(), "base offset");
        assertEquals(spec.lastOffset(), kafka.lastOffset(), "last offset");
        assertEquals(spec.records().size(), kafka.countOrNull(), "record count");
        assertEquals(spec.partitionLeaderEpoch(), kafka.partitionLeaderEpoch(), "partition leader epoch");
        assertEquals(spec.compression().id, kafka.compressionType().id, "codec");
        assertEquals(spec.timestampType().configName(), kafka.timestampType().name, "timestamp type");
        assertEquals(spec.expectedMaxTimestamp(), kafka.maxTimestamp(), "max timestamp");
        assertEquals(spec.producerId(), kafka.producerId(), "producer id");
        assertEquals(spec.producerEpoch(), kafka.producerEpoch(), "producer epoch");
        assertEquals(spec.baseSequence(), kafka.baseSequence(), "base sequence");
        assertEquals(spec.transactional(), kafka.isTransactional(), "transactional");
        assertFalse(kafka.isControlBatch(), "control");
    }

    private static void assertOurHeaderMatches(BatchSpec spec, RecordBatch batch) {
        assertEquals(spec.baseOffset(), batch.baseOffset(), "base offset");
        assertEquals(spec.lastOffset(), batch.lastOffset(), "last offset");
        assertEquals(spec.records().size(), batch.recordCount(), "record count");
        assertEquals(spec.partitionLeaderEpoch(), batch.partitionLeaderEpoch(), "partition leader epoch");
        assertEquals(spec.compression(), batch.compressionType(), "codec");
        assertEquals(spec.timestampType(), batch.timestampType(), "timestamp type");
        assertEquals(spec.expectedMaxTimestamp(), batch.maxTimestamp(), "max timestamp");
        assertEquals(spec.producerId(), batch.producerId(), "producer id");
        assertEquals(spec.producerEpoch(), batch.producerEpoch(), "producer epoch");
        assertEquals(spec.baseSequence(), batch.baseSequence(), "base sequence");
        assertEquals(spec.transactional(), batch.isTransactional(), "transactional");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
