package io.brook.api.records.internal;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.brook.api.records.CompressionType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The codecs of a record batch's records section, with Kafka's framing and default levels so
 * that Kafka reads what we write and we read what Kafka (and librdkafka) write:
 *
 * <ul>
 *   <li>gzip: one RFC 1952 member ({@link GZIPOutputStream}), deflate level 6 (Kafka's default);
 *   <li>snappy: snappy-java's "xerial" framing, see {@link SnappyFrameFormat};
 *   <li>lz4: the LZ4 frame format with LZ4's fast compressor, see {@link Lz4FrameFormat};
 *   <li>zstd: one standard zstd frame written in streaming mode (no content size), level 3,
 *       flushed before it is closed as Kafka's writer does.
 * </ul>
 *
 * <p><b>Decompression limit.</b> A hostile batch can be tiny yet expand enormously (gzip reaches
 * about 1000:1, zstd far more), so output is grown as it is produced and decompression stops
 * with an error once it would exceed {@link #decompressionLimit(int)}: the larger of
 * {@value #DECOMPRESSED_FLOOR_BYTES} bytes (16 MiB) and {@value #DECOMPRESSION_RATIO_LIMIT} times
 * the compressed size. A 1 MiB compressed batch may thus expand to 256 MiB; a 100-byte one to
 * 16 MiB. Genuine batches are far inside this (producers cap uncompressed batches near
 * {@code batch.size}, 16 KiB by default).
 *
 * <p>Thread-safe: stateless; every call uses its own streams.
 */
public final class Compression {
    /** Any compressed records section may expand to at least this many bytes. */
    public static final int DECOMPRESSED_FLOOR_BYTES = 16 * 1024 * 1024;
    /** ...and to at most this many times its compressed size, when that is more. */
    public static final int DECOMPRESSION_RATIO_LIMIT = 256;

    private static final int GZIP_BUFFER_SIZE = 8 * 1024;
    private static final int ZSTD_KAFKA_DEFAULT_LEVEL = 3;
    private static final int READ_CHUNK = 16 * 1024;

    private Compression() {
    }

    /** Most bytes a records section of {@code compressedSize} bytes may expand to. */
    public static int decompressionLimit(int compressedSize) {
        long scaled = (long) compressedSize * DECOMPRESSION_RATIO_LIMIT;
        return (int) Math.min(Integer.MAX_VALUE - 16, Math.max(DECOMPRESSED_FLOOR_BYTES, scaled));
    }

    /**
     * Appends {@code input[offset, offset + length)} compressed with {@code type} to {@code output}.
     * For {@link CompressionType#NONE} the bytes are copied as they are.
     */
    public static void compress(CompressionType type, byte[] input, int offset, int length,
                                ByteArrayOutput output) {
        try {
            switch (type) {
                case NONE -> output.write(input, offset, length);
                case GZIP -> {
                    try (OutputStream gzip = new GZIPOutputStream(output, GZIP_BUFFER_SIZE)) {
                        gzip.write(input, offset, length);
                    }
                }
                case SNAPPY -> SnappyFrameFormat.compress(input, offset, length, output);
                case LZ4 -> Lz4FrameFormat.compress(input, offset, length, output);
                case ZSTD -> {
                    try (OutputStream zstd = new ZstdOutputStreamNoFinalizer(output,
                            RecyclingBufferPool.INSTANCE, ZSTD_KAFKA_DEFAULT_LEVEL)) {
                        zstd.write(input, offset, length);
                        // Kafka's writer flushes before closing: the data ends in a non-final block
                        // followed by an empty final one. Doing the same keeps our bytes equal to Kafka's.
                        zstd.flush();
                    }
                }
                default -> throw new IllegalArgumentException("unknown codec " + type);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(type.configName + " compression into memory failed", e);
        }
    }

    /**
     * Decompresses {@code input[offset, offset + length)}, all of it one {@code type} stream.
     *
     * @return the decompressed bytes: the first {@link ByteArrayOutput#size()} of its array
     * @throws IOException when the bytes are not a valid stream of that codec, or would expand
     *     past {@link #decompressionLimit(int)} ({@link DecompressionLimitException}). Codec
     *     libraries may also throw unchecked exceptions on malformed input; callers treat those
     *     the same way.
     */
    public static ByteArrayOutput decompress(CompressionType type, byte[] input, int offset, int length)
            throws IOException {
        int limit = decompressionLimit(length);
        // Typical ratios are 2-10x; start there and grow only as output actually arrives, so the
        // memory a lying header can claim is bounded by what the codec really produces.
        int initialCapacity = (int) Math.min(limit, Math.max(1024L, 4L * length));
        ByteArrayOutput output = new ByteArrayOutput(initialCapacity);
        switch (type) {
            case NONE -> {
                if (length > limit) {
                    throw new DecompressionLimitException(limit);
                }
                output.write(input, offset, length);
            }
            case GZIP -> {
                if (length == 0) {
                    throw new IOException("empty gzip payload: expected a gzip member");
                }
                try (InputStream gzip = new GZIPInputStream(
                        new ByteArrayInputStream(input, offset, length), GZIP_BUFFER_SIZE)) {
                    drain(gzip, output, limit);
                }
            }
            case SNAPPY -> {
                if (length == 0) {
                    throw new IOException("empty snappy payload");
                }
                SnappyFrameFormat.decompress(input, offset, length, output, limit);
            }
            case LZ4 -> Lz4FrameFormat.decompress(input, offset, length, output, limit);
            case ZSTD -> {
                if (length == 0) {
                    throw new IOException("empty zstd payload: expected a zstd frame");
                }
                try (InputStream zstd = new ZstdInputStreamNoFinalizer(
                        new ByteArrayInputStream(input, offset, length), RecyclingBufferPool.INSTANCE)) {
                    drain(zstd, output, limit);
                }
            }
            default -> throw new IllegalArgumentException("unknown codec " + type);
        }
        return output;
    }

    private static void drain(InputStream in, ByteArrayOutput output, int limit) throws IOException {
        while (true) {
            // Ask for one byte more than the limit allows, to tell "exactly at" from "beyond".
            int room = (int) Math.min(READ_CHUNK, (long) limit - output.size() + 1);
            output.ensureCapacity(room);
            int read = in.read(output.array(), output.size(), room);
            if (read < 0) {
                return;
            }
            output.advance(read);
            if (output.size() > limit) {
                throw new DecompressionLimitException(limit);
            }
        }
    }
}
