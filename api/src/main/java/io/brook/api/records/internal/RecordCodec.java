package io.brook.api.records.internal;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Header;
import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordFormatException;
import io.brook.api.records.TimestampType;
import io.brook.api.v1.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Encoding and decoding of the records section of a batch: Kafka's varint record layout (see
 * {@code storage-engine/FORMAT.md}) and, through {@link Compression}, its codecs.
 *
 * <p>Decoding trusts nothing: every length is checked against the bytes actually present before
 * it is used, so a hostile batch can neither read out of bounds nor make us allocate more than
 * the decompression limit; every failure is a {@link RecordFormatException} saying which batch,
 * which record and which field. Damaged bytes (truncation, malformed varints, lengths that do not
 * add up, undecodable compressed data) get {@link ErrorCode#CORRUPT_MESSAGE}; well-formed bytes
 * that break the batch's own declarations (record count, offset deltas) get
 * {@link ErrorCode#INVALID_RECORD}.
 *
 * <p>Thread-safe: stateless. Each iterator is for one thread.
 */
public final class RecordCodec {
    private RecordCodec() {
    }

    /**
     * The records of {@code batch}, whose bytes are {@code bytes} (from its position to its limit).
     * Uncompressed batches are decoded lazily, and keys, values and header values are read-only
     * slices of {@code bytes}; compressed batches are decompressed here, at once, and their records
     * are slices of the decompressed copy. The iterator yields exactly the declared record count
     * and throws if the bytes hold fewer records or more bytes.
     *
     * @throws RecordFormatException if the batch cannot be decoded (also from the iterator)
     */
    public static Iterator<Record> records(RecordBatch batch, ByteBuffer bytes) {
        Decoder decoder = Decoder.open(batch, bytes);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return decoder.hasNextRecord();
            }

            @Override
            public Record next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return decoder.next();
            }
        };
    }

    /**
     * Decodes every record of {@code batch} and checks: the record count matches, offset deltas
     * start at 0 or more and strictly increase, the last is at most the batch's last offset delta
     * (less only for batches compaction rewrote, which keep their original last offset), and no
     * bytes follow the last record. The CRC is {@link RecordBatch#ensureValid()}'s business.
     *
     * @throws RecordFormatException describing the first problem found
     */
    public static void validate(RecordBatch batch, ByteBuffer bytes) {
        Decoder decoder = Decoder.open(batch, bytes);
        int batchLastOffsetDelta = batch.lastOffsetDelta();
        long previousDelta = -1;
        while (decoder.hasNextRecord()) {
            int index = decoder.decodedCount;
            decoder.next();
            int delta = decoder.lastOffsetDelta;
            if (delta < 0) {
                throw decoder.invalid("record " + index + " has negative offset delta " + delta);
            }
            if (delta <= previousDelta) {
                throw decoder.invalid("offset deltas must strictly increase, but record " + index
                        + " has " + delta + " after " + previousDelta);
            }
            if (delta > batchLastOffsetDelta) {
                throw decoder.invalid("record " + index + " has offset delta " + delta
                        + ", beyond the batch's last offset delta " + batchLastOffsetDelta);
            }
            previousDelta = delta;
        }
    }

    /**
     * Appends one record in Kafka's v2 layout to {@code output}.
     *
     * @param key     the key's remaining bytes (position untouched), or null
     * @param value   the value's remaining bytes (position untouched), or null
     * @throws IllegalArgumentException if the record would exceed 2 GiB
     */
    public static void writeRecord(ByteArrayOutput output, int offsetDelta, long timestampDelta,
                                   ByteBuffer key, ByteBuffer value, List<Header> headers) {
        byte[][] headerKeys = new byte[headers.size()][];
        long bodySize = 1 + ByteArrayOutput.sizeOfVarlong(timestampDelta)
                + ByteArrayOutput.sizeOfVarint(offsetDelta)
                + sizeOfNullableBytes(key) + sizeOfNullableBytes(value)
                + ByteArrayOutput.sizeOfVarint(headers.size());
        for (int i = 0; i < headerKeys.length; i++) {
            Header header = headers.get(i);
            headerKeys[i] = header.key().getBytes(StandardCharsets.UTF_8);
            bodySize += ByteArrayOutput.sizeOfVarint(headerKeys[i].length) + headerKeys[i].length
                    + sizeOfNullableBytes(header.value());
        }
        if (bodySize > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("record of " + bodySize + " bytes is too large");
        }
        output.writeVarint((int) bodySize);
        output.write(0); // record attributes: unused by Kafka, always 0
        output.writeVarlong(timestampDelta);
        output.writeVarint(offsetDelta);
        writeNullableBytes(output, key);
        writeNullableBytes(output, value);
        output.writeVarint(headers.size());
        for (int i = 0; i < headerKeys.length; i++) {
            output.writeVarint(headerKeys[i].length);
            output.write(headerKeys[i], 0, headerKeys[i].length);
            writeNullableBytes(output, headers.get(i).value());
        }
    }

    private static long sizeOfNullableBytes(ByteBuffer bytes) {
        if (bytes == null) {
            return ByteArrayOutput.sizeOfVarint(-1);
        }
        return ByteArrayOutput.sizeOfVarint(bytes.remaining()) + (long) bytes.remaining();
    }

    private static void writeNullableBytes(ByteArrayOutput output, ByteBuffer bytes) {
        if (bytes == null) {
            output.writeVarint(-1);
        } else {
            output.writeVarint(bytes.remaining());
            output.write(bytes);
        }
    }

    /** Walks the records section one record at a time, bounds-checking every read. */
    private static final class Decoder {
        private final RecordBatch batch;
        private final ByteBuffer section;
        private final int sectionEnd;
        private final int declaredCount;
        private final long baseOffset;
        private final long baseTimestamp;
        private final boolean logAppendTime;
        private final long maxTimestamp;

        private int position;
        private int decodedCount;
        private int recordStart;
        private int lastOffsetDelta;

        private Decoder(RecordBatch batch, ByteBuffer section, int declaredCount) {
            this.batch = batch;
            this.section = section;
            this.sectionEnd = section.limit();
            this.declaredCount = declaredCount;
            this.baseOffset = batch.baseOffset();
            this.baseTimestamp = batch.baseTimestamp();
            this.logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
            this.maxTimestamp = batch.maxTimestamp();
        }

        static Decoder open(RecordBatch batch, ByteBuffer bytes) {
            int size = bytes.remaining();
            if (size < RecordBatch.HEADER_SIZE) {
                throw new RecordFormatException(ErrorCode.CORRUPT_MESSAGE, "record batch of " + size
                        + " bytes is shorter than the " + RecordBatch.HEADER_SIZE + "-byte header");
            }
            if (batch.magic() != RecordBatch.MAGIC) {
                throw new RecordFormatException(ErrorCode.CORRUPT_MESSAGE, "record batch at base offset "
                        + batch.baseOffset() + " has magic " + batch.magic() + "; only 2 is supported");
            }
            int declaredCount = batch.recordCount();
            if (declaredCount < 0) {
                throw new RecordFormatException(ErrorCode.CORRUPT_MESSAGE, "record batch at base offset "
                        + batch.baseOffset() + " declares a negative record count " + declaredCount);
            }
            CompressionType compression = batch.compressionType();
            ByteBuffer section = bytes.duplicate();
            section.position(bytes.position() + RecordBatch.HEADER_SIZE);
            section = section.slice();
            // Kafka writes batches emptied by compaction header-only whatever their codec; any other
            // compressed batch must hold a valid stream, even an empty one.
            boolean headerOnly = declaredCount == 0 && !section.hasRemaining();
            if (compression != CompressionType.NONE && !headerOnly) {
                section = decompress(batch, compression, section);
            }
            return new Decoder(batch, section, declaredCount);
        }

        private static ByteBuffer decompress(RecordBatch batch, CompressionType compression,
                                             ByteBuffer compressed) {
            byte[] array;
            int offset;
            int length = compressed.remaining();
            if (compressed.hasArray()) {
                array = compressed.array();
                offset = compressed.arrayOffset() + compressed.position();
            } else {
                array = new byte[length];
                compressed.duplicate().get(array);
                offset = 0;
            }
            try {
                ByteArrayOutput output = Compression.decompress(compression, array, offset, length);
                return ByteBuffer.wrap(output.array(), 0, output.size()).slice();
            } catch (IOException | RuntimeException e) {
                // Codec libraries signal malformed input with unchecked exceptions too (LZ4Exception,
                // ZstdException); to the caller all of it is a damaged batch.
                throw new RecordFormatException(ErrorCode.CORRUPT_MESSAGE, "record batch at base offset "
                        + batch.baseOffset() + ": cannot decompress its " + length + "-byte "
                        + compression.configName + " records section: " + e.getMessage(), e);
            }
        }

        boolean hasNextRecord() {
            if (decodedCount < declaredCount) {
                if (position >= sectionEnd) {
                    throw invalid("it declares " + declaredCount + " records but its records section"
                            + " ends after " + decodedCount);
                }
                return true;
            }
            if (position < sectionEnd) {
                throw invalid((sectionEnd - position) + " bytes follow the declared " + declaredCount
                        + " records");
            }
            return false;
        }

        Record next() {
            recordStart = position;
            int length = readVarint(sectionEnd, "record length");
            if (length < 0) {
                throw corrupt("negative record length " + length);
            }
            if (length > sectionEnd - position) {
                throw corrupt("record length " + length + " exceeds the " + (sectionEnd - position)
                        + " bytes left in the records section (truncated record)");
            }
            int end = position + length;
            if (position >= end) {
                throw corrupt("record of length 0 has no attributes byte");
            }
            position++; // record attributes: unused
            long timestampDelta = readVarlong(end, "timestamp delta");
            int offsetDelta = readVarint(end, "offset delta");
            ByteBuffer key = readNullableBytes(end, "key");
            ByteBuffer value = readNullableBytes(end, "value");
            int headerCount = readVarint(end, "header count");
            if (headerCount < 0) {
                throw corrupt("negative header count " + headerCount);
            }
            // Each header takes at least two bytes (two length varints): this bounds the list we
            // allocate by the bytes present, whatever the count claims.
            if (headerCount > (end - position) / 2) {
                throw corrupt("header count " + headerCount + " cannot fit in the " + (end - position)
                        + " bytes left in the record");
            }
            List<Header> headers = headerCount == 0 ? List.of() : new ArrayList<>(headerCount);
            for (int i = 0; i < headerCount; i++) {
                int keyLength = readVarint(end, "header " + i + " key length");
                if (keyLength < 0) {
                    throw corrupt("header " + i + " has key length " + keyLength
                            + "; header keys cannot be null");
                }
                if (keyLength > end - position) {
                    throw corrupt("header " + i + " key length " + keyLength + " exceeds the "
                            + (end - position) + " bytes left in the record");
                }
                String headerKey = utf8(position, keyLength);
                position += keyLength;
                ByteBuffer headerValue = readNullableBytes(end, "header " + i + " value");
                headers.add(new Header(headerKey, headerValue));
            }
            if (position != end) {
                throw corrupt("record length says " + length + " bytes but its fields take "
                        + (position - (end - length)));
            }
            decodedCount++;
            lastOffsetDelta = offsetDelta;
            long timestamp = logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta;
            return new Record(baseOffset + offsetDelta, timestamp, key, value, headers);
        }

        private ByteBuffer readNullableBytes(int end, String field) {
            int length = readVarint(end, field + " length");
            if (length == -1) {
                return null;
            }
            if (length < -1) {
                throw corrupt(field + " length " + length + " is negative (only -1, for null, is allowed)");
            }
            if (length > end - position) {
                throw corrupt(field + " length " + length + " exceeds the " + (end - position)
                        + " bytes left in the record");
            }
            ByteBuffer slice = section.slice(position, length).asReadOnlyBuffer();
            position += length;
            return slice;
        }

        private String utf8(int at, int length) {
            if (section.hasArray()) {
                return new String(section.array(), section.arrayOffset() + at, length, StandardCharsets.UTF_8);
            }
            byte[] bytes = new byte[length];
            section.get(at, bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** Kafka's varint: zigzag in at most 5 groups of 7 bits, low group first. */
        private int readVarint(int end, String field) {
            int raw = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (position >= end) {
                    throw corrupt(field + " is truncated");
                }
                byte next = section.get(position++);
                raw |= (next & 0x7F) << shift;
                if (next >= 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw corrupt(field + " is a malformed varint: more than 5 bytes");
        }

        /** Kafka's varlong: zigzag in at most 10 groups of 7 bits, low group first. */
        private long readVarlong(int end, String field) {
            long raw = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                if (position >= end) {
                    throw corrupt(field + " is truncated");
                }
                byte next = section.get(position++);
                raw |= (long) (next & 0x7F) << shift;
                if (next >= 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw corrupt(field + " is a malformed varlong: more than 10 bytes");
        }

        private String where() {
            return "record batch at base offset " + baseOffset + " ("
                    + batch.compressionType().configName + "), record " + decodedCount
                    + " at byte " + recordStart + " of the records section: ";
        }

        RecordFormatException corrupt(String problem) {
            return new RecordFormatException(ErrorCode.CORRUPT_MESSAGE, where() + problem);
        }

        RecordFormatException invalid(String problem) {
            return new RecordFormatException(ErrorCode.INVALID_RECORD, "record batch at base offset "
                    + baseOffset + ": " + problem);
        }
    }
}
