package io.brook.api.records;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * One record as read from a batch: its absolute offset and timestamp, key, value and headers.
 * Keys, values and header values are read-only views (for uncompressed batches, slices of the
 * batch's own bytes: no copy); null stands for a null key or value (a tombstone has a null value).
 *
 * <p>Equality compares contents, so records read back can be compared with records written.
 */
public final class Record {
    private final long offset;
    private final long timestamp;
    private final ByteBuffer key;
    private final ByteBuffer value;
    private final List<Header> headers;

    public Record(long offset, long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key == null ? null : key.asReadOnlyBuffer();
        this.value = value == null ? null : value.asReadOnlyBuffer();
        this.headers = List.copyOf(headers);
    }

    public long offset() {
        return offset;
    }

    public long timestamp() {
        return timestamp;
    }

    /** The key (a fresh view: its position is 0 and reading it does not affect this record), or null. */
    public ByteBuffer key() {
        return key == null ? null : key.duplicate();
    }

    /** The value (a fresh view), or null for a tombstone. */
    public ByteBuffer value() {
        return value == null ? null : value.duplicate();
    }

    public boolean hasKey() {
        return key != null;
    }

    public boolean hasValue() {
        return value != null;
    }

    /** The key copied into an array, or null. */
    public byte[] keyBytes() {
        return toArray(key);
    }

    /** The value copied into an array, or null. */
    public byte[] valueBytes() {
        return toArray(value);
    }

    public List<Header> headers() {
        return headers;
    }

    private static byte[] toArray(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && offset == r.offset && timestamp == r.timestamp
                && Objects.equals(key, r.key) && Objects.equals(value, r.value)
                && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, timestamp, key, value, headers);
    }

    @Override
    public String toString() {
        return "Record(offset=" + offset + ", timestamp=" + timestamp
                + ", key=" + (key == null ? "null" : key.remaining() + "B")
                + ", value=" + (value == null ? "null" : value.remaining() + "B")
                + ", headers=" + headers.size() + ")";
    }
}
