package io.brook.storage;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A record header: a UTF-8 key and a value that may be null.
 *
 * @param key   the header key, never null
 * @param value the header value (read-only view, possibly a slice of a larger buffer), or null
 */
public record Header(String key, ByteBuffer value) {
    public Header {
        Objects.requireNonNull(key, "header key");
    }

    /** Convenience: a header with a byte-array value (copied into a buffer). */
    public static Header of(String key, byte[] value) {
        return new Header(key, value == null ? null : ByteBuffer.wrap(value.clone()).asReadOnlyBuffer());
    }
}
