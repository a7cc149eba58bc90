package io.brook.api.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.testing.Batches;
import io.brook.api.records.testing.BatchSpec;
import io.brook.api.records.testing.RecordSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Reading batches: records, headers, timestamps, views, and the header rewrites the log makes. */
class RecordBatchTest {

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void readsBackEveryRecordWithOffsetsTimestampsKeysValuesAndHeaders(CompressionType codec) {
        BatchSpec spec = BatchSpec.of(codec, List.of(
                new RecordSpec(1_000L, bytes("k1"), bytes("v1"), List.of(Header.of("a", bytes("1")))),
                new RecordSpec(900L, bytes("k2"), bytes("v2"), List.of()),
                new RecordSpec(1_100L, null, bytes("v3"), List.of(Header.of("b", null), Header.of("a", bytes("2"))))))
                .withBaseOffset(1234);

        assertEquals(spec.expectedRecords(), recordsOf(RecordBatch.wrap(spec.build())));
    }

    @Test
    void decodesNullKeyAndValueAsNull() {
        Record record = only(new RecordBatchBuilder(CompressionType.NONE).append(1L, null, null).build());

        assertNull(record.key());
        assertNull(record.value());
        assertFalse(record.hasKey());
        assertFalse(record.hasValue());
        assertNull(record.keyBytes());
        assertNull(record.valueBytes());
    }

    @Test
    void decodesEmptyKeyAndValueAsEmptyNotNull() {
        Record record = only(new RecordBatchBuilder(CompressionType.NONE).append(1L, new byte[0], new byte[0]).build());

        assertTrue(record.hasKey());
        assertTrue(record.hasValue());
        assertEquals(0, record.key().remaining());
        assertEquals(0, record.value().remaining());
    }

    @Test
    void decodesHeadersInOrderWithRepeatedKeysNullValuesAndNonAsciiKeys() {
        List<Header> headers = List.of(Header.of("trace", bytes("1")), Header.of("trace", bytes("2")),
                Header.of("ключ-日本", null), Header.of("", new byte[0]));
        Record record = only(new RecordBatchBuilder(CompressionType.ZSTD).append(1L, null, bytes("v"), headers).build());

        assertEquals(headers, record.headers());
        assertNull(record.headers().get(2).value());
        assertEquals("ключ-日本", record.headers().get(2).key());
    }

    @Test
    void recordsInAnyTimestampOrderReadBackTheirOwnTimestamps() {
        ByteBuffer bytes = new RecordBatchBuilder(CompressionType.NONE)
                .append(5_000L, null, bytes("a")).append(0L, null, bytes("b"))
                .append(Long.MAX_VALUE, null, bytes("c")).append(RecordBatch.NO_TIMESTAMP, null, bytes("d")).build();

        List<Long> timestamps = new ArrayList<>();
        RecordBatch.wrap(bytes).forEach(record -> timestamps.add(record.timestamp()));
        assertEquals(List.of(5_000L, 0L, Long.MAX_VALUE, -1L), timestamps);
        assertEquals(Long.MAX_VALUE, RecordBatch.wrap(bytes).maxTimestamp());
    }

    @Test
    void logAppendTimeBatchReadsTheMaxTimestampForEveryRecord() {
        ByteBuffer bytes = new RecordBatchBuilder(CompressionType.GZIP).logAppendTime(7_777L)
                .append(1L, null, bytes("a")).append(2L, null, bytes("b")).build();

        for (Record record : RecordBatch.wrap(bytes)) {
            assertEquals(7_777L, record.timestamp());
        }
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void setLogAppendTimeRestampsEveryRecordAndKeepsTheBatchValid(CompressionType codec) {
        ByteBuffer bytes = Batches.of(codec, "a", "b");
        RecordBatch batch = RecordBatch.wrap(bytes);
        long crcBefore = batch.checksum();

        batch.setLogAppendTime(123_456L);

        batch.ensureValid();
        assertNotEquals(crcBefore, batch.checksum());
        assertEquals(TimestampType.LOG_APPEND_TIME, batch.timestampType());
        assertEquals(123_456L, batch.maxTimestamp());
        batch.forEach(record -> assertEquals(123_456L, record.timestamp()));
    }

    @Test
    void baseOffsetAndPartitionLeaderEpochAreOutsideTheCrc() {
        ByteBuffer bytes = Batches.of(CompressionType.NONE, "a", "b");
        RecordBatch batch = RecordBatch.wrap(bytes);
        long crc = batch.checksum();

        batch.setBaseOffset(1_000_000L);
        batch.setPartitionLeaderEpoch(42);

        batch.ensureValid();
        assertEquals(crc, batch.checksum());
        assertEquals(42, batch.partitionLeaderEpoch());
        List<Long> offsets = new ArrayList<>();
        batch.forEach(record -> offsets.add(record.offset()));
        assertEquals(List.of(1_000_000L, 1_000_001L), offsets);
    }

    @Test
    void uncompressedValuesAreReadOnlyViewsOfTheBatchBytes() {
        ByteBuffer bytes = new RecordBatchBuilder(CompressionType.NONE).append(1L, bytes("key"), bytes("value"),
                List.of(Header.of("h", bytes("header")))).build();
        Record record = only(bytes);

        assertTrue(record.value().isReadOnly());
        assertTrue(record.key().isReadOnly());
        assertTrue(record.headers().get(0).value().isReadOnly());
        // No copy: changing the batch's bytes shows through the record's value.
        int valueAt = indexOf(bytes, bytes("value"));
        bytes.put(valueAt, (byte) 'V');
        assertArrayEquals(bytes("Value"), record.valueBytes());
    }

    @Test
    void readingAValueDoesNotConsumeIt() {
        Record record = only(Batches.of(CompressionType.LZ4, "value"));

        record.value().get(new byte[5]);
        record.headers();

        assertEquals(5, record.value().remaining());
    }

    @Test
    void eachIterationDecodesAfresh() {
        RecordBatch batch = RecordBatch.wrap(Batches.of(CompressionType.SNAPPY, "a", "b"));

        assertEquals(recordsOf(batch), recordsOf(batch));
    }

    @Test
    void iteratorThrowsNoSuchElementAfterTheLastRecord() {
        Iterator<Record> records = RecordBatch.wrap(Batches.of(CompressionType.NONE, "a")).iterator();
        records.next();

        assertFalse(records.hasNext());
        assertThrows(NoSuchElementException.class, records::next);
    }

    @Test
    void batchesSplitsBackToBackBatchesAndSkipsATrailingFragment() {
        ByteBuffer first = Batches.at(0, CompressionType.NONE, "a", "b");
        ByteBuffer second = Batches.at(2, CompressionType.GZIP, "c");
        ByteBuffer all = Batches.concat(first, second);
        ByteBuffer torn = all.duplicate().limit(all.limit() - 3);

        List<Long> baseOffsets = new ArrayList<>();
        RecordBatch.batches(all).forEach(batch -> baseOffsets.add(batch.baseOffset()));
        List<Long> tornBaseOffsets = new ArrayList<>();
        RecordBatch.batches(torn).forEach(batch -> tornBaseOffsets.add(batch.baseOffset()));

        assertEquals(List.of(0L, 2L), baseOffsets);
        assertEquals(List.of(0L), tornBaseOffsets);
        assertEquals(0, all.position(), "the buffer's position is untouched");
    }

    @Test
    void wrapStopsAtTheBatchsOwnLength() {
        ByteBuffer first = Batches.of(CompressionType.NONE, "a");
        RecordBatch batch = RecordBatch.wrap(Batches.concat(first, Batches.of(CompressionType.NONE, "b")));

        assertEquals(first.remaining(), batch.sizeInBytes());
        batch.ensureValid();
        assertEquals(List.of("a"), Batches.values(batch.buffer()));
    }

    @Test
    void readsABatchThatLivesInADirectBuffer() {
        ByteBuffer heap = Batches.keyed(3, CompressionType.NONE, "k", "v");
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
        ByteBuffer compressedHeap = Batches.keyed(3, CompressionType.ZSTD, "k", "v");
        ByteBuffer compressedDirect = ByteBuffer.allocateDirect(compressedHeap.remaining())
                .put(compressedHeap.duplicate()).flip();

        RecordBatch.wrap(direct).ensureRecordsValid();
        RecordBatch.wrap(compressedDirect).ensureRecordsValid();
        assertEquals(recordsOf(RecordBatch.wrap(heap)), recordsOf(RecordBatch.wrap(direct)));
        assertEquals(recordsOf(RecordBatch.wrap(heap)), recordsOf(RecordBatch.wrap(compressedDirect)));
    }

    @Test
    void recordAndHeaderEqualityCompareContents() {
        Header header = Header.of("h", bytes("v"));
        ByteBuffer shared = ByteBuffer.wrap(bytes("xv")).position(1);
        Header sameContents = new Header("h", shared);
        shared.position(0);

        assertEquals(header, sameContents, "the header took a view of the bytes remaining when it was made");
        assertEquals(header.hashCode(), sameContents.hashCode());
        assertEquals(new Record(1, 2, null, ByteBuffer.wrap(bytes("v")), List.of(header)),
                new Record(1, 2, null, ByteBuffer.wrap(bytes("v")), List.of(sameContents)));
    }

    // ---- helpers ----

    private static Record only(ByteBuffer bytes) {
        List<Record> records = recordsOf(RecordBatch.wrap(bytes));
        assertEquals(1, records.size());
        return records.get(0);
    }

    static List<Record> recordsOf(RecordBatch batch) {
        List<Record> records = new ArrayList<>();
        batch.forEach(records::add);
        return records;
    }

    private static int indexOf(ByteBuffer haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.limit() - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack.get(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
