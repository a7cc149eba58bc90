package io.brook.api.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.internal.ByteArrayOutput;
import io.brook.api.records.internal.Compression;
import io.brook.api.records.internal.RecordCodec;
import io.brook.api.records.testing.Batches;
import io.brook.api.v1.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damaged and rule-breaking batches are refused with a {@link RecordFormatException} carrying the
 * right code: {@link ErrorCode#CORRUPT_MESSAGE} for bytes that cannot be decoded,
 * {@link ErrorCode#INVALID_RECORD} for decodable bytes that contradict the batch's declarations.
 * Most cases recompute the CRC after damaging the bytes, so the records decoder itself is tested.
 */
class MalformedBatchTest {
    /** One record: length 7, attributes 0, timestamp delta 0, offset delta 0, null key, value "a", no headers. */
    private static final String RECORD_A = "0e 00 00 00 01 02 61 00";

    // ---- the envelope (RecordBatch.ensureValid) ----

    @Test
    void rejectsBatchWhoseCrcDoesNotMatch() {
        ByteBuffer bytes = Batches.copy(Batches.of(CompressionType.NONE, "a", "b"));
        bytes.put(bytes.limit() - 2, (byte) 'X');
        RecordBatch batch = RecordBatch.wrap(bytes);

        assertFalse(batch.isValid());
        RecordFormatException error = assertCode(ErrorCode.CORRUPT_MESSAGE, batch::ensureValid);
        assertTrue(error.getMessage().contains("CRC"), error.getMessage());
    }

    @Test
    void rejectsBatchShorterThanItsHeaderEverywhereWithoutIndexErrors() {
        ByteBuffer stub = ByteBuffer.wrap(Arrays.copyOf(Batches.recordsSection(Batches.of(CompressionType.NONE, "a")), 20));
        RecordBatch batch = RecordBatch.wrap(stub);

        assertCode(ErrorCode.CORRUPT_MESSAGE, batch::ensureValid);
        assertCode(ErrorCode.CORRUPT_MESSAGE, batch::ensureRecordsValid);
        assertCode(ErrorCode.CORRUPT_MESSAGE, batch::iterator);
    }

    @Test
    void rejectsBatchWhoseLengthFieldExceedsTheBytesPresent() {
        ByteBuffer whole = Batches.of(CompressionType.NONE, "a", "b");
        ByteBuffer torn = Batches.copy(whole.duplicate().limit(whole.limit() - 4));

        assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(torn)::ensureValid);
        assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(torn)::ensureRecordsValid);
    }

    @Test
    void rejectsUnsupportedMagic() {
        ByteBuffer bytes = Batches.copy(Batches.of(CompressionType.NONE, "a"));
        bytes.put(16, (byte) 1);
        Batches.withCrcRecomputed(bytes);

        assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(bytes)::ensureValid);
        assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(bytes)::ensureRecordsValid);
    }

    @Test
    void rejectsUnknownCompressionCodec() {
        ByteBuffer bytes = Batches.copy(Batches.of(CompressionType.NONE, "a"));
        bytes.putShort(21, (short) 5);
        Batches.withCrcRecomputed(bytes);

        assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(bytes)::ensureValid);
        assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(bytes)::iterator);
    }

    @Test
    void rejectsNegativeRecordCount() {
        ByteBuffer bytes = withRecordCount(Batches.of(CompressionType.NONE, "a"), -1);

        assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(bytes)::ensureValid);
        assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(bytes)::ensureRecordsValid);
    }

    // ---- record structure: CORRUPT_MESSAGE ----

    @Test
    void acceptsTheHandWrittenReferenceRecord() {
        RecordBatch batch = RecordBatch.wrap(batchWithSection(1, hex(RECORD_A)));

        batch.ensureValid();
        batch.ensureRecordsValid();
        assertEquals(List.of("a"), Batches.values(batch.buffer()));
    }

    @Test
    void rejectsTruncatedRecord() {
        RecordFormatException error = assertCorruptEverywhere(batchWithSection(1, hex("0e 00 00 00 01 02")));

        assertTrue(error.getMessage().contains("truncated record"), error.getMessage());
    }

    @Test
    void rejectsRecordLengthVarintLongerThanFiveBytes() {
        RecordFormatException error = assertCorruptEverywhere(batchWithSection(1, hex("ff ff ff ff ff 01")));

        assertTrue(error.getMessage().contains("more than 5 bytes"), error.getMessage());
    }

    @Test
    void rejectsTimestampDeltaVarlongLongerThanTenBytes() {
        assertCorruptEverywhere(batchWithSection(1,
                hex("1a 00 ff ff ff ff ff ff ff ff ff ff 01 00 01 02 61 00")));
    }

    @Test
    void rejectsVarintCutOffByTheEndOfTheRecord() {
        // Length 1 covers only the attributes byte: the timestamp delta is missing.
        assertCorruptEverywhere(batchWithSection(1, hex("02 00")));
    }

    @Test
    void rejectsNegativeRecordLength() {
        assertCorruptEverywhere(batchWithSection(1, hex("03 00 00 00 01 02 61 00")));
    }

    @Test
    void rejectsKeyLengthBeyondTheRecord() {
        // Key length 50 (zigzag 0x64) inside a 7-byte record.
        assertCorruptEverywhere(batchWithSection(1, hex("0e 00 00 00 64 02 61 00")));
    }

    @Test
    void rejectsNegativeKeyLengthOtherThanMinusOne() {
        // Key length -2 (zigzag 0x03).
        assertCorruptEverywhere(batchWithSection(1, hex("0e 00 00 00 03 02 61 00")));
    }

    @Test
    void rejectsRecordLengthLargerThanItsFields() {
        // Length says 8 but the fields take 7; the extra byte is inside the record.
        RecordFormatException error = assertCorruptEverywhere(batchWithSection(1, hex("10 00 00 00 01 02 61 00 00")));

        assertTrue(error.getMessage().contains("fields take"), error.getMessage());
    }

    @Test
    void rejectsHeaderCountThatCannotFitWithoutAllocatingForIt() {
        // Header count 2^30 (zigzag varint 80 80 80 80 08) in a 12-byte record.
        assertCorruptEverywhere(batchWithSection(1, hex("18 00 00 00 01 02 61 80 80 80 80 08")));
    }

    @Test
    void rejectsNullHeaderKey() {
        // One header whose key length is -1 (0x01), value length 0.
        assertCorruptEverywhere(batchWithSection(1, hex("12 00 00 00 01 02 61 02 01 00")));
    }

    @Test
    void rejectsHeaderValueLengthBeyondTheRecord() {
        // One header: key "h", value length 9 with no bytes after it.
        assertCorruptEverywhere(batchWithSection(1, hex("14 00 00 00 01 02 61 02 02 68 12")));
    }

    // ---- batch declarations: INVALID_RECORD ----

    @Test
    void rejectsRecordCountLargerThanTheRecordsPresent() {
        ByteBuffer bytes = withRecordCount(Batches.of(CompressionType.NONE, "a", "b"), 3);

        RecordFormatException error = assertCode(ErrorCode.INVALID_RECORD, RecordBatch.wrap(bytes)::ensureRecordsValid);
        assertTrue(error.getMessage().contains("declares 3 records"), error.getMessage());
        assertCode(ErrorCode.INVALID_RECORD, () -> RecordBatch.wrap(bytes).forEach(record -> { }));
    }

    @Test
    void rejectsRecordCountSmallerThanTheRecordsPresent() {
        ByteBuffer bytes = withRecordCount(Batches.of(CompressionType.GZIP, "a", "b", "c"), 2);

        assertCode(ErrorCode.INVALID_RECORD, RecordBatch.wrap(bytes)::ensureRecordsValid);
        assertCode(ErrorCode.INVALID_RECORD, () -> RecordBatch.wrap(bytes).forEach(record -> { }));
    }

    @Test
    void rejectsBytesAfterTheLastRecord() {
        ByteBuffer bytes = batchWithSection(1, hex(RECORD_A + " 00"));

        assertCode(ErrorCode.INVALID_RECORD, RecordBatch.wrap(bytes)::ensureRecordsValid);
    }

    @Test
    void rejectsOffsetDeltasThatDoNotIncrease() {
        ByteBuffer bytes = batchWithSection(2, section(0, 0));

        RecordFormatException error = assertCode(ErrorCode.INVALID_RECORD, RecordBatch.wrap(bytes)::ensureRecordsValid);
        assertTrue(error.getMessage().contains("strictly increase"), error.getMessage());
    }

    @Test
    void rejectsNegativeOffsetDelta() {
        assertCode(ErrorCode.INVALID_RECORD, RecordBatch.wrap(batchWithSection(2, section(-1, 1)))::ensureRecordsValid);
    }

    @Test
    void rejectsRecordBeyondTheBatchsLastOffsetDelta() {
        // The template batch has 2 records, so its last offset delta is 1.
        assertCode(ErrorCode.INVALID_RECORD, RecordBatch.wrap(batchWithSection(2, section(0, 2)))::ensureRecordsValid);
    }

    @Test
    void acceptsOffsetGapsLeftByCompactionWithinTheLastOffsetDelta() {
        ByteBuffer template = Batches.of(CompressionType.NONE, "a", "b", "c", "d");
        ByteBuffer bytes = withRecordCount(Batches.withRecordsSection(template, CompressionType.NONE, section(1, 3)), 2);

        RecordBatch.wrap(bytes).ensureRecordsValid();
    }

    // ---- compressed payloads: CORRUPT_MESSAGE ----

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void rejectsGarbageCompressedPayload(CompressionType codec) {
        byte[] garbage = new byte[200];
        new java.util.SplittableRandom(codec.id).nextBytes(garbage);
        ByteBuffer bytes = Batches.withRecordsSection(Batches.of(CompressionType.NONE, "a"), codec, garbage);

        RecordFormatException error = assertCorruptEverywhere(bytes);
        assertTrue(error.getMessage().contains("cannot decompress"), error.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void rejectsTruncatedCompressedPayload(CompressionType codec) {
        ByteBuffer valid = Batches.of(codec, "some", "values", "to", "compress", "x".repeat(500));
        byte[] section = Batches.recordsSection(valid);
        ByteBuffer bytes = Batches.withRecordsSection(valid, codec, Arrays.copyOf(section, section.length / 2));

        assertCorruptEverywhere(bytes);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void rejectsEmptyCompressedPayloadWhenRecordsAreDeclared(CompressionType codec) {
        assertCorruptEverywhere(Batches.withRecordsSection(Batches.of(CompressionType.NONE, "a"), codec, new byte[0]));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"GZIP", "ZSTD"})
    void rejectsDecompressionBombBeyondTheLimit(CompressionType codec) {
        // 20 MiB of zeros compresses to a few KiB; the limit for that is the 16 MiB floor.
        byte[] zeros = new byte[20 * 1024 * 1024];
        ByteArrayOutput compressed = new ByteArrayOutput(64 * 1024);
        Compression.compress(codec, zeros, 0, zeros.length, compressed);
        byte[] payload = Arrays.copyOf(compressed.array(), compressed.size());
        ByteBuffer bytes = Batches.withRecordsSection(Batches.of(CompressionType.NONE, "a"), codec, payload);

        RecordFormatException error = assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(bytes)::ensureRecordsValid);
        assertTrue(error.getMessage().contains("exceed the limit"), error.getMessage());
        assertTrue(payload.length * (long) Compression.DECOMPRESSION_RATIO_LIMIT < Compression.DECOMPRESSED_FLOOR_BYTES);
    }

    /**
     * A property-style sweep: every single-byte change and every truncation of small valid
     * batches, CRC recomputed, yields records or a {@link RecordFormatException}: never another
     * exception type (bounds, underflow, codec errors escaping).
     */
    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void anySingleByteDamageEndsInRecordsOrRecordFormatException(CompressionType codec) {
        ByteBuffer valid = new RecordBatchBuilder(codec).producer(1L, (short) 0, 0)
                .append(1L, bytes("key"), bytes("value"), List.of(Header.of("h", bytes("v")), Header.of("n", null)))
                .append(2L, null, null).append(3L, bytes(""), bytes("x".repeat(100))).build();
        int size = valid.remaining();
        for (int position = RecordBatch.HEADER_SIZE; position < size; position++) {
            for (int replacement : new int[] {0x00, 0x01, 0x7f, 0x80, 0xff}) {
                ByteBuffer damaged = Batches.copy(valid);
                damaged.put(position, (byte) replacement);
                decodeExpectingOnlyRecordFormatException(Batches.withCrcRecomputed(damaged));
            }
            byte[] truncated = Arrays.copyOf(Batches.recordsSection(valid), position - RecordBatch.HEADER_SIZE);
            decodeExpectingOnlyRecordFormatException(Batches.withRecordsSection(valid, codec, truncated));
        }
    }

    // ---- helpers ----

    static void decodeExpectingOnlyRecordFormatException(ByteBuffer bytes) {
        RecordBatch batch = RecordBatch.wrap(bytes);
        try {
            batch.ensureValid();
            batch.ensureRecordsValid();
        } catch (RecordFormatException expected) {
            // Refused cleanly: fine.
        }
        try {
            List<Record> records = new ArrayList<>();
            batch.forEach(records::add);
        } catch (RecordFormatException expected) {
            // Refused cleanly: fine.
        }
    }

    private static RecordFormatException assertCorruptEverywhere(ByteBuffer bytes) {
        RecordBatch.wrap(bytes).ensureValid();
        assertCode(ErrorCode.CORRUPT_MESSAGE, () -> RecordBatch.wrap(bytes).forEach(record -> { }));
        return assertCode(ErrorCode.CORRUPT_MESSAGE, RecordBatch.wrap(bytes)::ensureRecordsValid);
    }

    private static RecordFormatException assertCode(ErrorCode expected, Executable executable) {
        RecordFormatException error = assertThrows(RecordFormatException.class, executable);
        assertEquals(expected, error.errorCode(), error.getMessage());
        return error;
    }

    /** A batch declaring {@code recordCount} records at offsets 0.. whose records section is {@code section}. */
    private static ByteBuffer batchWithSection(int recordCount, byte[] section) {
        String[] values = new String[recordCount];
        Arrays.fill(values, "a");
        return Batches.withRecordsSection(Batches.of(CompressionType.NONE, values), CompressionType.NONE, section);
    }

    /** A records section holding one small record per offset delta given. */
    private static byte[] section(int... offsetDeltas) {
        ByteArrayOutput output = new ByteArrayOutput(64);
        for (int delta : offsetDeltas) {
            RecordCodec.writeRecord(output, delta, 0L, null, ByteBuffer.wrap(bytes("v")), List.of());
        }
        return Arrays.copyOf(output.array(), output.size());
    }

    private static ByteBuffer withRecordCount(ByteBuffer batch, int count) {
        ByteBuffer copy = Batches.copy(batch);
        copy.putInt(57, count);
        return Batches.withCrcRecomputed(copy);
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
