package io.brook.api.records;

import io.brook.api.v1.ErrorCode;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * A view of one record batch in Kafka's v2 format (magic 2), laid out byte by byte in
 * {@code storage-engine/FORMAT.md}. Wrapping copies nothing and checks nothing; call
 * {@link #ensureValid()} before trusting the bytes.
 *
 * <p>Not thread-safe for mutation ({@link #setBaseOffset} and friends are for the single writer
 * of a log); concurrent reads of an unchanging batch are safe.
 */
public final class RecordBatch implements Iterable<Record> {
    /** baseOffset (8) + batchLength (4): the bytes before what batchLength counts. */
    public static final int LOG_OVERHEAD = 12;
    /** The fixed header before the records. */
    public static final int HEADER_SIZE = 61;
    public static final byte MAGIC = 2;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
    public static final long NO_TIMESTAMP = -1L;

    static final int BASE_OFFSET = 0;
    static final int BATCH_LENGTH = 8;
    static final int PARTITION_LEADER_EPOCH = 12;
    static final int MAGIC_OFFSET = 16;
    static final int CRC = 17;
    static final int ATTRIBUTES = 21;
    static final int LAST_OFFSET_DELTA = 23;
    static final int BASE_TIMESTAMP = 27;
    static final int MAX_TIMESTAMP = 35;
    static final int PRODUCER_ID = 43;
    static final int PRODUCER_EPOCH = 51;
    static final int BASE_SEQUENCE = 53;
    static final int RECORD_COUNT = 57;

    static final int COMPRESSION_MASK = 0x07;
    static final int TIMESTAMP_TYPE_MASK = 0x08;
    static final int TRANSACTIONAL_MASK = 0x10;
    static final int CONTROL_MASK = 0x20;
    static final int DELETE_HORIZON_MASK = 0x40;

    /** Position 0 of this view is the batch's first byte; limit is its end. */
    private final ByteBuffer buffer;

    private RecordBatch(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /**
     * Wraps the batch starting at {@code buffer.position()}. The view ends where the batch's own
     * length field says (or at the buffer's limit, if that is shorter: {@link #ensureValid()}
     * then fails). The buffer is shared, not copied.
     */
    public static RecordBatch wrap(ByteBuffer buffer) {
        ByteBuffer slice = buffer.slice();
        if (slice.remaining() >= LOG_OVERHEAD) {
            long declared = LOG_OVERHEAD + (long) slice.getInt(BATCH_LENGTH);
            if (declared >= LOG_OVERHEAD && declared < slice.remaining()) {
                slice.limit((int) declared);
            }
        }
        return new RecordBatch(slice);
    }

    /**
     * The batches stored back to back in {@code buffer} (from its position to its limit). A
     * trailing fragment shorter than its declared length is not returned: reads never hand out
     * partial batches. The buffer's position is not changed.
     */
    public static Iterable<RecordBatch> batches(ByteBuffer buffer) {
        ByteBuffer view = buffer.slice();
        return () -> new Iterator<>() {
            private int position = 0;

            @Override
            public boolean hasNext() {
                int remaining = view.limit() - position;
                if (remaining < LOG_OVERHEAD) {
                    return false;
                }
                int length = view.getInt(position + BATCH_LENGTH);
                return length >= HEADER_SIZE - LOG_OVERHEAD && length <= remaining - LOG_OVERHEAD;
            }

            @Override
            public RecordBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int size = LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH);
                ByteBuffer one = view.duplicate();
                one.position(position).limit(position + size);
                position += size;
                return new RecordBatch(one.slice());
            }
        };
    }

    /** The batch's bytes: a view from its first to its last byte, sharing the storage. */
    public ByteBuffer buffer() {
        return buffer.duplicate();
    }

    /**
     * Total size of the batch in bytes as its length field declares (12 + batchLength), which is
     * also what a view made from just the header reports.
     */
    public int sizeInBytes() {
        return LOG_OVERHEAD + batchLength();
    }

    public long baseOffset() {
        return buffer.getLong(BASE_OFFSET);
    }

    /** The batch length field: bytes after the length field itself. */
    public int batchLength() {
        return buffer.getInt(BATCH_LENGTH);
    }

    public int partitionLeaderEpoch() {
        return buffer.getInt(PARTITION_LEADER_EPOCH);
    }

    public byte magic() {
        return buffer.get(MAGIC_OFFSET);
    }

    /** The stored CRC-32C, as an unsigned 32-bit value. */
    public long checksum() {
        return Integer.toUnsignedLong(buffer.getInt(CRC));
    }

    public short attributes() {
        return buffer.getShort(ATTRIBUTES);
    }

    public CompressionType compressionType() {
        return CompressionType.forId(attributes() & COMPRESSION_MASK);
    }

    public TimestampType timestampType() {
        return (attributes() & TIMESTAMP_TYPE_MASK) == 0
                ? TimestampType.CREATE_TIME : TimestampType.LOG_APPEND_TIME;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_MASK) != 0;
    }

    public boolean isControlBatch() {
        return (attributes() & CONTROL_MASK) != 0;
    }

    /** Whether the base timestamp holds a compaction delete horizon (KIP-534). */
    public boolean hasDeleteHorizon() {
        return (attributes() & DELETE_HORIZON_MASK) != 0;
    }

    public int lastOffsetDelta() {
        return buffer.getInt(LAST_OFFSET_DELTA);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset right after this batch. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    /** The first record's timestamp (or the delete horizon, see {@link #hasDeleteHorizon()}). */
    public long baseTimestamp() {
        return buffer.getLong(BASE_TIMESTAMP);
    }

    /** The largest record timestamp, or the append time for {@link TimestampType#LOG_APPEND_TIME}. */
    public long maxTimestamp() {
        return buffer.getLong(MAX_TIMESTAMP);
    }

    public long producerId() {
        return buffer.getLong(PRODUCER_ID);
    }

    public short producerEpoch() {
        return buffer.getShort(PRODUCER_EPOCH);
    }

    public int baseSequence() {
        return buffer.getInt(BASE_SEQUENCE);
    }

    /** The sequence of the last record: base sequence plus last offset delta, wrapping at 2^31. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        return incrementSequence(base, lastOffsetDelta());
    }

    /** Adds {@code increment} to a producer sequence number, wrapping from 2^31-1 to 0 as Kafka does. */
    public static int incrementSequence(int sequence, int increment) {
        if (sequence > Integer.MAX_VALUE - increment) {
            return increment - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + increment;
    }

    public boolean hasProducerId() {
        return producerId() > NO_PRODUCER_ID;
    }

    public int recordCount() {
        return buffer.getInt(RECORD_COUNT);
    }

    /** CRC-32C of the bytes from the attributes to the end, as the CRC field should hold. */
    public long computeChecksum() {
        return checksumOf(buffer);
    }

    static long checksumOf(ByteBuffer batch) {
        CRC32C crc = new CRC32C();
        ByteBuffer covered = batch.duplicate();
        covered.position(ATTRIBUTES).limit(batch.limit());
        crc.update(covered);
        return crc.getValue();
    }

    /** Whether {@link #ensureValid()} would pass. */
    public boolean isValid() {
        try {
            ensureValid();
            return true;
        } catch (RecordFormatException e) {
            return false;
        }
    }

    /**
     * Checks the envelope: the bytes hold the whole batch its length field declares, the header
     * fits, the magic is 2, the codec is known and the CRC-32C matches. Records themselves are
     * checked by {@link #ensureRecordsValid()}.
     *
     * @throws RecordFormatException with {@link ErrorCode#CORRUPT_MESSAGE} and the reason
     */
    public void ensureValid() {
        if (buffer.limit() < HEADER_SIZE) {
            throw corrupt("batch of " + buffer.limit() + " bytes is shorter than the "
                    + HEADER_SIZE + "-byte header");
        }
        long declared = LOG_OVERHEAD + (long) batchLength();
        if (declared != buffer.limit()) {
            throw corrupt("batch length field says " + declared + " bytes but " + buffer.limit()
                    + " are present");
        }
        if (magic() != MAGIC) {
            throw corrupt("unsupported record batch magic " + magic() + " (only 2 is supported)");
        }
        long stored = checksum();
        long computed = computeChecksum();
        if (stored != computed) {
            throw corrupt("record batch CRC-32C mismatch at base offset " + baseOffset()
                    + ": stored " + Long.toHexString(stored) + ", computed " + Long.toHexString(computed));
        }
        CompressionType.forId(attributes() & COMPRESSION_MASK);
        if (recordCount() < 0) {
            throw corrupt("negative record count " + recordCount());
        }
        if (lastOffsetDelta() < 0) {
            throw corrupt("negative last offset delta " + lastOffsetDelta());
        }
    }

    private static RecordFormatException corrupt(String message) {
        return new RecordFormatException(ErrorCode.CORRUPT_MESSAGE, message);
    }

    /** Sets the base offset. Outside the CRC: no checksum change. */
    public void setBaseOffset(long offset) {
        buffer.putLong(BASE_OFFSET, offset);
    }

    /** Sets the partition leader epoch. Outside the CRC: no checksum change. */
    public void setPartitionLeaderEpoch(int epoch) {
        buffer.putInt(PARTITION_LEADER_EPOCH, epoch);
    }

    /**
     * Marks the batch as {@link TimestampType#LOG_APPEND_TIME} stamped at {@code appendTimeMs}
     * (the max timestamp field), and recomputes the CRC.
     */
    public void setLogAppendTime(long appendTimeMs) {
        short attributes = (short) (attributes() | TIMESTAMP_TYPE_MASK);
        buffer.putShort(ATTRIBUTES, attributes);
        buffer.putLong(MAX_TIMESTAMP, appendTimeMs);
        buffer.putInt(CRC, (int) computeChecksum());
    }

    /**
     * The records, decompressed if needed, with absolute offsets and timestamps (for
     * {@link TimestampType#LOG_APPEND_TIME} every record reads the batch's max timestamp, as in
     * Kafka). Each call decodes afresh.
     *
     * @throws RecordFormatException when a record is malformed
     */
    @Override
    public Iterator<Record> iterator() {
        return io.brook.api.records.internal.RecordCodec.records(this, buffer.duplicate());
    }

    /**
     * Decodes every record and checks the batch's internal consistency: record count equals the
     * records present, offset deltas are 0, 1, 2, ... (strictly increasing for batches rewritten by
     * compaction), the last offset delta matches, lengths add up with no trailing bytes.
     *
     * @throws RecordFormatException ({@link ErrorCode#CORRUPT_MESSAGE} for undecodable bytes,
     *     {@link ErrorCode#INVALID_RECORD} for rule violations)
     */
    public void ensureRecordsValid() {
        io.brook.api.records.internal.RecordCodec.validate(this, buffer.duplicate());
    }

    @Override
    public String toString() {
        if (buffer.limit() < HEADER_SIZE) {
            return "RecordBatch(truncated, " + buffer.limit() + " bytes)";
        }
        return "RecordBatch(baseOffset=" + baseOffset() + ", lastOffset=" + lastOffset()
                + ", count=" + recordCount() + ", epoch=" + partitionLeaderEpoch()
                + ", size=" + sizeInBytes() + ", compression=" + (attributes() & COMPRESSION_MASK)
                + ", producerId=" + producerId() + ", baseSequence=" + baseSequence() + ")";
    }
}
