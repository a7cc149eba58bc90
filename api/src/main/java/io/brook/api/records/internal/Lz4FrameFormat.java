package io.brook.api.records.internal;

import java.io.IOException;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The LZ4 frame format (lz4 frame specification 1.6) as Kafka uses it for record batches.
 *
 * <p>Writing produces exactly Kafka's framing: version 01, independent blocks, no block or
 * content checksum, no content size, 64 KiB maximum blocks, LZ4's fast compressor, and a block
 * stored uncompressed whenever compressing it does not make it smaller. (Kafka's default
 * {@code compression.lz4.level} is 9, but at exactly the default it uses the fast compressor, not
 * LZ4 HC; we do the same so our bytes are Kafka's.) Reading accepts any frame a conforming writer produces with independent blocks
 * (any block size, block and content checksums, content size, several frames, skippable frames),
 * which covers Kafka's Java client and librdkafka. Linked blocks and dictionaries are refused,
 * as Kafka refuses them.
 *
 * <p>Thread-safe: the LZ4 and xxHash instances are stateless.
 */
final class Lz4FrameFormat {
    private static final int MAGIC = 0x184D2204;
    /** Skippable frames use magics 0x184D2A50 to 0x184D2A5F. */
    private static final int SKIPPABLE_MAGIC_MASK = 0xFFFFFFF0;
    private static final int SKIPPABLE_MAGIC = 0x184D2A50;

    private static final int VERSION_MASK = 0xC0;
    private static final int VERSION_01 = 0x40;
    private static final int BLOCK_INDEPENDENCE = 0x20;
    private static final int BLOCK_CHECKSUM = 0x10;
    private static final int CONTENT_SIZE = 0x08;
    private static final int CONTENT_CHECKSUM = 0x04;
    private static final int FLG_RESERVED = 0x02;
    private static final int DICTIONARY_ID = 0x01;
    private static final int BD_RESERVED = 0x8F;

    private static final int BLOCK_SIZE_CODE_64_KIB = 4;
    private static final int WRITTEN_BLOCK_SIZE = 64 * 1024;
    private static final int UNCOMPRESSED_BLOCK_FLAG = 0x80000000;

    private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
    private static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();
    private static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();

    private Lz4FrameFormat() {
    }

    static void compress(byte[] input, int offset, int length, ByteArrayOutput output) {
        output.writeIntLittleEndian(MAGIC);
        byte flags = (byte) (VERSION_01 | BLOCK_INDEPENDENCE);
        byte blockDescriptor = (byte) (BLOCK_SIZE_CODE_64_KIB << 4);
        output.write(flags);
        output.write(blockDescriptor);
        output.write(headerChecksum(new byte[] {flags, blockDescriptor}, 0, 2));

        int end = offset + length;
        for (int position = offset; position < end; position += WRITTEN_BLOCK_SIZE) {
            int blockLength = Math.min(WRITTEN_BLOCK_SIZE, end - position);
            int maxCompressed = COMPRESSOR.maxCompressedLength(blockLength);
            output.ensureCapacity(4 + maxCompressed);
            int sizeField = output.size();
            int compressedLength = COMPRESSOR.compress(input, position, blockLength,
                    output.array(), sizeField + 4, maxCompressed);
            if (compressedLength >= blockLength) {
                output.writeIntLittleEndian(blockLength | UNCOMPRESSED_BLOCK_FLAG);
                output.write(input, position, blockLength);
            } else {
                output.writeIntLittleEndian(compressedLength);
                output.advance(compressedLength);
            }
        }
        output.writeIntLittleEndian(0);
    }

    /**
     * Decodes the frames in {@code input[offset, offset + length)} into {@code output}, refusing
     * to produce more than {@code limit} bytes in total.
     */
    static void decompress(byte[] input, int offset, int length, ByteArrayOutput output, int limit)
            throws IOException {
        Reader reader = new Reader(input, offset, offset + length);
        if (length == 0) {
            throw new IOException("empty LZ4 payload: expected at least one frame");
        }
        while (reader.position < reader.end) {
            int magic = reader.intLittleEndian("frame magic");
            if ((magic & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC) {
                int skipLength = reader.intLittleEndian("skippable frame size");
                reader.skip(Integer.toUnsignedLong(skipLength), "skippable frame");
                continue;
            }
            if (magic != MAGIC) {
                throw new IOException("not an LZ4 frame: magic 0x" + Integer.toHexString(magic)
                        + " at byte " + (reader.position - 4 - offset) + ", expected 0x184d2204");
            }
            decompressFrame(reader, output, limit);
        }
    }

    private static void decompressFrame(Reader reader, ByteArrayOutput output, int limit)
            throws IOException {
        int descriptorStart = reader.position;
        int flags = reader.unsignedByte("frame flags");
        int blockDescriptor = reader.unsignedByte("block descriptor");
        if ((flags & VERSION_MASK) != VERSION_01) {
            throw new IOException("unsupported LZ4 frame version " + ((flags & VERSION_MASK) >>> 6)
                    + " (only 1 exists)");
        }
        if ((flags & FLG_RESERVED) != 0 || (blockDescriptor & BD_RESERVED) != 0) {
            throw new IOException("LZ4 frame descriptor has reserved bits set");
        }
        if ((flags & BLOCK_INDEPENDENCE) == 0) {
            throw new IOException("LZ4 frame uses linked blocks, which Kafka does not support");
        }
        if ((flags & DICTIONARY_ID) != 0) {
            throw new IOException("LZ4 frame needs a dictionary, which Kafka does not support");
        }
        int blockSizeCode = (blockDescriptor >>> 4) & 0x07;
        if (blockSizeCode < 4) {
            throw new IOException("invalid LZ4 block maximum size code " + blockSizeCode);
        }
        int maxBlockSize = 1 << (2 * blockSizeCode + 8);
        long declaredContentSize = -1;
        if ((flags & CONTENT_SIZE) != 0) {
            declaredContentSize = reader.longLittleEndian("content size");
        }
        int descriptorEnd = reader.position;
        int storedHeaderChecksum = reader.unsignedByte("header checksum");
        int computedHeaderChecksum = headerChecksum(reader.input, descriptorStart,
                descriptorEnd - descriptorStart) & 0xFF;
        if (storedHeaderChecksum != computedHeaderChecksum) {
            throw new IOException("LZ4 frame header checksum mismatch: stored 0x"
                    + Integer.toHexString(storedHeaderChecksum) + ", computed 0x"
                    + Integer.toHexString(computedHeaderChecksum));
        }

        int contentStart = output.size();
        while (true) {
            int sizeField = reader.intLittleEndian("block size");
            if (sizeField == 0) {
                break;
            }
            boolean uncompressed = (sizeField & UNCOMPRESSED_BLOCK_FLAG) != 0;
            int blockLength = sizeField & ~UNCOMPRESSED_BLOCK_FLAG;
            if (blockLength > maxBlockSize) {
                throw new IOException("LZ4 block of " + blockLength + " bytes exceeds the frame's "
                        + maxBlockSize + "-byte maximum");
            }
            int blockStart = reader.position;
            reader.skip(blockLength, "block data");
            if ((flags & BLOCK_CHECKSUM) != 0) {
                int stored = reader.intLittleEndian("block checksum");
                int computed = XXHASH.hash(reader.input, blockStart, blockLength, 0);
                if (stored != computed) {
                    throw new IOException("LZ4 block checksum mismatch");
                }
            }
            if (uncompressed) {
                ensureWithinLimit(output, blockLength, limit);
                output.write(reader.input, blockStart, blockLength);
            } else {
                // Room for a whole block even near the limit, so an over-long block is reported
                // as exceeding the limit rather than as a decoding failure.
                output.ensureCapacity(maxBlockSize);
                int produced;
                try {
                    produced = DECOMPRESSOR.decompress(reader.input, blockStart, blockLength,
                            output.array(), output.size(), maxBlockSize);
                } catch (LZ4Exception e) {
                    throw new IOException("malformed LZ4 block: " + e.getMessage(), e);
                }
                ensureWithinLimit(output, produced, limit);
                output.advance(produced);
            }
        }
        int contentLength = output.size() - contentStart;
        if ((flags & CONTENT_CHECKSUM) != 0) {
            int stored = reader.intLittleEndian("content checksum");
            int computed = XXHASH.hash(output.array(), contentStart, contentLength, 0);
            if (stored != computed) {
                throw new IOException("LZ4 content checksum mismatch");
            }
        }
        if (declaredContentSize >= 0 && declaredContentSize != contentLength) {
            throw new IOException("LZ4 frame declares " + declaredContentSize
                    + " content bytes but holds " + contentLength);
        }
    }

    private static void ensureWithinLimit(ByteArrayOutput output, int more, int limit) throws IOException {
        if ((long) output.size() + more > limit) {
            throw new DecompressionLimitException(limit);
        }
    }

    /** The second byte of the xxHash32 of the frame descriptor, as the frame specification says. */
    private static byte headerChecksum(byte[] descriptor, int offset, int length) {
        return (byte) (XXHASH.hash(descriptor, offset, length, 0) >>> 8);
    }

    /** Bounds-checked little-endian reads over the compressed bytes. */
    private static final class Reader {
        final byte[] input;
        final int end;
        int position;

        Reader(byte[] input, int position, int end) {
            this.input = input;
            this.position = position;
            this.end = end;
        }

        void require(long count, String what) throws IOException {
            if (count > end - position) {
                throw new IOException("LZ4 payload truncated: " + what + " needs " + count
                        + " bytes but " + (end - position) + " remain");
            }
        }

        void skip(long count, String what) throws IOException {
            require(count, what);
            position += (int) count;
        }

        int unsignedByte(String what) throws IOException {
            require(1, what);
            return input[position++] & 0xFF;
        }

        int intLittleEndian(String what) throws IOException {
            require(4, what);
            int value = (input[position] & 0xFF) | (input[position + 1] & 0xFF) << 8
                    | (input[position + 2] & 0xFF) << 16 | (input[position + 3] & 0xFF) << 24;
            position += 4;
            return value;
        }

        long longLittleEndian(String what) throws IOException {
            long low = Integer.toUnsignedLong(intLittleEndian(what));
            long high = Integer.toUnsignedLong(intLittleEndian(what));
            return low | (high << 32);
        }
    }
}
