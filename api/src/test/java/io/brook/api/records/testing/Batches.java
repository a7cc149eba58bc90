package io.brook.api.records.testing;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Small fixed batches for example-based tests, and byte-level helpers for tests that damage
 * batches on purpose.
 *
 * <p>Stateless; thread-safe.
 */
public final class Batches {
    /** Timestamp of the first record of batches made here; record i gets this plus i. */
    public static final long FIRST_TIMESTAMP = 1_700_000_000_000L;

    private Batches() {
    }

    /** A CreateTime batch at offset 0 with null keys and these UTF-8 values. */
    public static ByteBuffer of(CompressionType compression, String... values) {
        return at(0, compression, values);
    }

    /** A CreateTime batch at {@code baseOffset} with null keys and these UTF-8 values. */
    public static ByteBuffer at(long baseOffset, CompressionType compression, String... values) {
        RecordBatchBuilder builder = new RecordBatchBuilder(compression).baseOffset(baseOffset);
        for (int i = 0; i < values.length; i++) {
            builder.append(FIRST_TIMESTAMP + i, null, utf8(values[i]));
        }
        return builder.build();
    }

    /**
     * A CreateTime batch at {@code baseOffset} from alternating keys and values
     * ({@code "k1", "v1", "k2", null}); a null value makes a tombstone.
     */
    public static ByteBuffer keyed(long baseOffset, CompressionType compression, String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must alternate");
        }
        RecordBatchBuilder builder = new RecordBatchBuilder(compression).baseOffset(baseOffset);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            builder.append(FIRST_TIMESTAMP + i / 2, utf8(keysAndValues[i]), utf8(keysAndValues[i + 1]));
        }
        return builder.build();
    }

    /** The values of a batch's records, decoded as UTF-8 (null for tombstones). */
    public static List<String> values(ByteBuffer batch) {
        List<String> values = new ArrayList<>();
        for (Record record : RecordBatch.wrap(batch)) {
            values.add(record.hasValue() ? StandardCharsets.UTF_8.decode(record.value()).toString() : null);
        }
        return values;
    }

    /** The batches back to back in one buffer, as in a segment file. */
    public static ByteBuffer concat(ByteBuffer... batches) {
        int size = 0;
        for (ByteBuffer batch : batches) {
            size += batch.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer batch : batches) {
            all.put(batch.duplicate());
        }
        return all.flip();
    }

    /** A heap copy of the batch's bytes (position 0), to damage without touching the original. */
    public static ByteBuffer copy(ByteBuffer batch) {
        ByteBuffer copy = ByteBuffer.allocate(batch.remaining());
        copy.put(batch.duplicate());
        return copy.flip();
    }

    /** Rewrites the CRC field so a deliberately damaged batch passes the envelope check. */
    public static ByteBuffer withCrcRecomputed(ByteBuffer batch) {
        CRC32C crc = new CRC32C();
        ByteBuffer covered = batch.duplicate();
        covered.position(batch.position() + 21);
        crc.update(covered);
        batch.putInt(batch.position() + 17, (int) crc.getValue());
        return batch;
    }

    /**
     * A copy of {@code batch}'s header followed by {@code recordsSection} instead of its records,
     * with the codec bits set to {@code compression}, the length field fitted and the CRC
     * recomputed: a batch whose envelope is valid, whatever the section holds.
     */
    public static ByteBuffer withRecordsSection(ByteBuffer batch, CompressionType compression,
                                                byte[] recordsSection) {
        ByteBuffer rebuilt = ByteBuffer.allocate(RecordBatch.HEADER_SIZE + recordsSection.length);
        ByteBuffer header = batch.duplicate();
        header.limit(header.position() + RecordBatch.HEADER_SIZE);
        rebuilt.put(header).put(recordsSection).flip();
        rebuilt.putInt(8, rebuilt.limit() - RecordBatch.LOG_OVERHEAD);
        short attributes = rebuilt.getShort(21);
        rebuilt.putShort(21, (short) ((attributes & ~0x07) | compression.id));
        return withCrcRecomputed(rebuilt);
    }

    /** The records section (everything after the 61-byte header) of a batch, as it is stored. */
    public static byte[] recordsSection(ByteBuffer batch) {
        ByteBuffer section = batch.duplicate();
        section.position(batch.position() + RecordBatch.HEADER_SIZE);
        byte[] bytes = new byte[section.remaining()];
        section.get(bytes);
        return bytes;
    }

    /** Lower-case hex of the remaining bytes, no separators. */
    public static String hex(ByteBuffer bytes) {
        byte[] array = new byte[bytes.remaining()];
        bytes.duplicate().get(array);
        return HexFormat.of().formatHex(array);
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
