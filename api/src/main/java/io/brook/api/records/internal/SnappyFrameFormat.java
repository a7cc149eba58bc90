package io.brook.api.records.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyOutputStream;

/**
 * Snappy as Kafka stores it: the "xerial" framing of snappy-java's {@link SnappyOutputStream}.
 *
 * <pre>
 *   header  8 bytes  magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *           4 bytes  version (int32 big-endian, 1)
 *           4 bytes  minimum compatible version (int32 big-endian, 1)
 *   chunks  4 bytes  compressed length n (int32 big-endian)
 *           n bytes  one raw snappy block (its own varint preamble gives the uncompressed length)
 * </pre>
 *
 * <p>Writing uses {@link SnappyOutputStream} itself (32 KiB chunks, as Kafka does), so the bytes
 * are Kafka's. Reading parses the framing here rather than through {@code SnappyInputStream} so
 * that each chunk's declared uncompressed length is checked against the decompression limit
 * before anything is allocated. Like {@code SnappyInputStream}, which Kafka reads with, a payload
 * without the magic header is taken as a single raw snappy block: librdkafka writes batches that
 * way.
 *
 * <p>Thread-safe: stateless.
 */
final class SnappyFrameFormat {
    private static final byte[] MAGIC = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    private static final int HEADER_SIZE = MAGIC.length + 8;
    private static final int SUPPORTED_VERSION = 1;

    private SnappyFrameFormat() {
    }

    static void compress(byte[] input, int offset, int length, ByteArrayOutput output) {
        try (SnappyOutputStream stream = new SnappyOutputStream(output)) {
            stream.write(input, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("snappy compression into memory failed", e);
        }
    }

    static void decompress(byte[] input, int offset, int length, ByteArrayOutput output, int limit)
            throws IOException {
        int end = offset + length;
        if (!startsWithMagic(input, offset, end)) {
            decompressBlock(input, offset, length, output, limit);
            return;
        }
        int position = offset;
        while (position < end) {
            // snappy-java's reader accepts streams concatenated header and all; a chunk length is
            // never negative, so the magic's first byte (0x82) cannot be mistaken for one.
            if (startsWithMagic(input, position, end)) {
                if (end - position < HEADER_SIZE) {
                    throw new IOException("snappy payload truncated inside its 16-byte header");
                }
                int compatibleVersion = bigEndianInt(input, position + MAGIC.length + 4);
                if (compatibleVersion > SUPPORTED_VERSION) {
                    throw new IOException("snappy framing needs reader version " + compatibleVersion
                            + "; only " + SUPPORTED_VERSION + " is supported");
                }
                position += HEADER_SIZE;
                continue;
            }
            if (end - position < 4) {
                throw new IOException("snappy payload truncated: " + (end - position)
                        + " bytes where a 4-byte chunk length should be");
            }
            int chunkLength = bigEndianInt(input, position);
            position += 4;
            if (chunkLength < 0 || chunkLength > end - position) {
                throw new IOException("snappy chunk declares " + chunkLength + " bytes but "
                        + (end - position) + " remain");
            }
            decompressBlock(input, position, chunkLength, output, limit);
            position += chunkLength;
        }
    }

    private static void decompressBlock(byte[] input, int offset, int length, ByteArrayOutput output,
                                        int limit) throws IOException {
        if (length == 0) {
            return;
        }
        int uncompressedLength = Snappy.uncompressedLength(input, offset, length);
        if (uncompressedLength < 0 || (long) output.size() + uncompressedLength > limit) {
            throw new DecompressionLimitException(limit);
        }
        output.ensureCapacity(uncompressedLength);
        int produced = Snappy.uncompress(input, offset, length, output.array(), output.size());
        if (produced != uncompressedLength) {
            throw new IOException("snappy block produced " + produced + " bytes but declared "
                    + uncompressedLength);
        }
        output.advance(produced);
    }

    private static boolean startsWithMagic(byte[] input, int offset, int end) {
        if (end - offset < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (input[offset + i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static int bigEndianInt(byte[] input, int offset) {
        return (input[offset] & 0xFF) << 24 | (input[offset + 1] & 0xFF) << 16
                | (input[offset + 2] & 0xFF) << 8 | (input[offset + 3] & 0xFF);
    }
}
