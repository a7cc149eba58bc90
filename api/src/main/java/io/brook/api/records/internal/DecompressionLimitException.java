package io.brook.api.records.internal;

import java.io.IOException;

/**
 * A compressed records section would expand past {@link Compression#decompressionLimit(int)}:
 * refused before the memory is spent.
 *
 * <p>Immutable, so thread-safe.
 */
final class DecompressionLimitException extends IOException {
    private static final long serialVersionUID = 1L;

    DecompressionLimitException(int limit) {
        super("decompressed records would exceed the limit of " + limit + " bytes (the larger of "
                + Compression.DECOMPRESSED_FLOOR_BYTES + " bytes and "
                + Compression.DECOMPRESSION_RATIO_LIMIT + " times the compressed size)");
    }
}
