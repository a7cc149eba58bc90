package io.brook.api.records;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A record header: a UTF-8 key and a value that may be null.
 *
 * <p>Immutable, so thread-safe: the value is held as a private read-only view and handed out as a
 * fresh view each time, so reading it (which moves a buffer's position) cannot change the header
 * or its equality.
 *
 * @param key   the header key, never null
 * @param value the header value (read-only view, possibly a slice of a larger buffer), or null
 */
public record Header(String key, ByteBuffer value) {
    public Header {
        Objects.requireNonNull(key, "header key");
        value = value == null ? null : value.slice().asReadOnlyBuffer();
    }

    /** Convenience: a header with a byte-array value (copied into a buffer). */
    public static Header of(String key, byte[] value) {
        return new Header(key, value == null ? null : ByteBuffer.wrap(value.clone()));
    }

    /** The value (a fresh read-only view of exactly its bytes, position 0), or null. */
    @Override
    public ByteBuffer value() {
        return value == null ? null : value.duplicate();
    }

    /** The value copied into an array, or null. */
    public byte[] valueBytes() {
        if (value == null) {
            return null;
        }
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        return bytes;
    }

    @Override
    public String toString() {
        return "Header(" + key + ", " + (value == null ? "null" : value.remaining() + "B") + ")";
    }
}
