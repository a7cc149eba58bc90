package io.brook.api.records.testing;

import io.brook.api.records.Header;
import io.brook.api.records.Record;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One record to put into a batch: what generators produce and what reading the batch back must
 * give. Offsets are not part of it; the batch assigns them.
 *
 * <p>Immutable once built (the arrays are not copied: do not change them); thread-safe.
 *
 * @param timestamp the record's timestamp ({@code -1} or more for a new batch)
 * @param key       the key, or null
 * @param value     the value, or null (a tombstone)
 * @param headers   the headers, in order
 */
public record RecordSpec(long timestamp, byte[] key, byte[] value, List<Header> headers) {
    public RecordSpec {
        headers = List.copyOf(headers);
    }

    /** A record with no headers. */
    public static RecordSpec of(long timestamp, byte[] key, byte[] value) {
        return new RecordSpec(timestamp, key, value, List.of());
    }

    /** Key and value bytes, the measure generators use to bound a batch. */
    public int payloadBytes() {
        int size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header header : headers) {
            size += header.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + (header.value() == null ? 0 : header.value().remaining());
        }
        return size;
    }

    /** The record a reader must return for this spec at {@code offset}, read at {@code timestamp}. */
    public Record toRecord(long offset, long readTimestamp) {
        return new Record(offset, readTimestamp, key == null ? null : ByteBuffer.wrap(key),
                value == null ? null : ByteBuffer.wrap(value), headers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordSpec other && timestamp == other.timestamp
                && Arrays.equals(key, other.key) && Arrays.equals(value, other.value)
                && headers.equals(other.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "RecordSpec(ts=" + timestamp + ", key=" + describe(key) + ", value=" + describe(value)
                + ", headers=" + headers + ")";
    }

    /** Length and the first bytes in hex: enough to read a shrunk counterexample. */
    static String describe(byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        StringBuilder text = new StringBuilder().append(bytes.length).append("B[");
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            text.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i]));
        }
        return text.append(bytes.length > 8 ? " ...]" : "]").toString();
    }
}
