package io.brook.api.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.brook.api.records.internal.ByteArrayOutput;
import io.brook.api.records.internal.Compression;
import io.brook.api.records.testing.Batches;
import io.brook.api.v1.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE;
import net.jpountz.lz4.LZ4FrameOutputStream.FLG;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/**
 * The codecs read what other conforming writers produce, not only our own (and Kafka's) output:
 * librdkafka's raw snappy, LZ4 frames with checksums and content size, zstd frames with a content
 * size, several gzip members. Each case swaps a valid batch's records section for the same records
 * compressed by another writer.
 */
class CompressionCodecTest {
    private static final ByteBuffer TEMPLATE = Batches.keyed(0, CompressionType.NONE,
            "k1", "v".repeat(3000), "k2", null, "k3", "some text that compresses");
    private static final byte[] RECORDS = Batches.recordsSection(TEMPLATE);

    @Test
    void readsRawSnappyWithoutXerialFramingAsLibrdkafkaWritesIt() throws IOException {
        assertReadsLikeTheTemplate(CompressionType.SNAPPY, Snappy.compress(RECORDS));
    }

    @Test
    void readsConcatenatedXerialSnappyStreams() {
        int half = RECORDS.length / 2;
        byte[] first = compressed(CompressionType.SNAPPY, Arrays.copyOfRange(RECORDS, 0, half));
        byte[] second = compressed(CompressionType.SNAPPY, Arrays.copyOfRange(RECORDS, half, RECORDS.length));

        assertReadsLikeTheTemplate(CompressionType.SNAPPY, concat(first, second));
    }

    @Test
    void writesXerialSnappyFramingWithItsMagicHeader() {
        byte[] section = Batches.recordsSection(Batches.of(CompressionType.SNAPPY, "a"));

        // Magic 0x82 "SNAPPY" 0x00, version 1, minimum compatible version 1 (both int32 big-endian).
        assertEquals("82534e41505059000000000100000001", HexFormat.of().formatHex(section, 0, 16));
    }

    @Test
    void readsLz4FramesWithBlockAndContentChecksumsContentSizeAndLargerBlocks() throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        try (OutputStream out = new LZ4FrameOutputStream(frame, BLOCKSIZE.SIZE_256KB, RECORDS.length,
                FLG.Bits.BLOCK_INDEPENDENCE, FLG.Bits.BLOCK_CHECKSUM, FLG.Bits.CONTENT_CHECKSUM, FLG.Bits.CONTENT_SIZE)) {
            out.write(RECORDS);
        }

        assertReadsLikeTheTemplate(CompressionType.LZ4, frame.toByteArray());
    }

    @Test
    void readsConcatenatedLz4FramesAndSkipsSkippableFrames() {
        int half = RECORDS.length / 2;
        byte[] skippable = HexFormat.of().parseHex("512a4d18" + "03000000" + "aabbcc");
        byte[] frames = concat(compressed(CompressionType.LZ4, Arrays.copyOfRange(RECORDS, 0, half)), skippable,
                compressed(CompressionType.LZ4, Arrays.copyOfRange(RECORDS, half, RECORDS.length)));

        assertReadsLikeTheTemplate(CompressionType.LZ4, frames);
    }

    @Test
    void rejectsLz4FrameWithLinkedBlocks() throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        try (OutputStream out = new LZ4FrameOutputStream(frame, BLOCKSIZE.SIZE_64KB)) {
            out.write(RECORDS);
        }
        byte[] linked = frame.toByteArray();
        boolean independent = (linked[4] & 0x20) != 0;
        if (independent) {
            // lz4-java writes independent blocks by default; clear the bit and fix the header checksum.
            linked[4] &= ~0x20;
            linked[6] = (byte) (net.jpountz.xxhash.XXHashFactory.fastestInstance().hash32()
                    .hash(linked, 4, 2, 0) >>> 8);
        }

        RecordFormatException error = assertCorrupt(CompressionType.LZ4, linked);
        assertTrue(error.getMessage().contains("linked blocks"), error.getMessage());
    }

    @Test
    void rejectsLz4FrameWhoseHeaderChecksumDoesNotMatch() {
        byte[] frame = compressed(CompressionType.LZ4, RECORDS);
        frame[6] ^= 0x01;

        RecordFormatException error = assertCorrupt(CompressionType.LZ4, frame);
        assertTrue(error.getMessage().contains("header checksum"), error.getMessage());
    }

    @Test
    void rejectsLz4FrameWhoseContentChecksumDoesNotMatch() throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        try (OutputStream out = new LZ4FrameOutputStream(frame, BLOCKSIZE.SIZE_64KB,
                FLG.Bits.BLOCK_INDEPENDENCE, FLG.Bits.CONTENT_CHECKSUM)) {
            out.write(RECORDS);
        }
        byte[] bytes = frame.toByteArray();
        bytes[bytes.length - 1] ^= 0x01;

        assertCorrupt(CompressionType.LZ4, bytes);
    }

    @Test
    void writesLz4FramesAsKafkaDoesIndependentBlocksOf64KibNoChecksums() {
        byte[] section = Batches.recordsSection(Batches.of(CompressionType.LZ4, "a"));

        // Magic 0x184D2204 little-endian, FLG 0x60 (version 01, independent blocks), BD 0x40 (64 KiB).
        assertEquals("04224d186040", HexFormat.of().formatHex(section, 0, 6));
    }

    @Test
    void readsZstdFramesThatCarryTheirContentSize() {
        assertReadsLikeTheTemplate(CompressionType.ZSTD, Zstd.compress(RECORDS, 19));
    }

    @Test
    void readsGzipPayloadsOfSeveralMembers() throws IOException {
        int half = RECORDS.length / 2;
        assertReadsLikeTheTemplate(CompressionType.GZIP, concat(gzip(Arrays.copyOfRange(RECORDS, 0, half)),
                gzip(Arrays.copyOfRange(RECORDS, half, RECORDS.length))));
    }

    @Test
    void decompressionLimitIsTheFloorOrTheRatioWhicheverIsLarger() {
        assertEquals(Compression.DECOMPRESSED_FLOOR_BYTES, Compression.decompressionLimit(100));
        assertEquals(256 * 1024 * 1024, Compression.decompressionLimit(1024 * 1024));
        assertEquals(Integer.MAX_VALUE - 16, Compression.decompressionLimit(Integer.MAX_VALUE));
    }

    @Test
    void decompressesExactlyUpToTheLimit() throws IOException {
        byte[] atLimit = new byte[Compression.DECOMPRESSED_FLOOR_BYTES];
        ByteArrayOutput compressed = new ByteArrayOutput(1024);
        Compression.compress(CompressionType.ZSTD, atLimit, 0, atLimit.length, compressed);

        ByteArrayOutput output = Compression.decompress(CompressionType.ZSTD, compressed.array(), 0, compressed.size());

        assertEquals(atLimit.length, output.size());
        assertThrows(IOException.class, () -> {
            byte[] beyond = new byte[atLimit.length + 1];
            ByteArrayOutput larger = new ByteArrayOutput(1024);
            Compression.compress(CompressionType.ZSTD, beyond, 0, beyond.length, larger);
            Compression.decompress(CompressionType.ZSTD, larger.array(), 0, larger.size());
        });
    }

    // ---- helpers ----

    private static void assertReadsLikeTheTemplate(CompressionType codec, byte[] section) {
        RecordBatch batch = RecordBatch.wrap(Batches.withRecordsSection(TEMPLATE, codec, section));
        batch.ensureValid();
        batch.ensureRecordsValid();
        assertEquals(codec, batch.compressionType());
        assertEquals(recordsOf(RecordBatch.wrap(TEMPLATE)), recordsOf(batch));
    }

    private static RecordFormatException assertCorrupt(CompressionType codec, byte[] section) {
        RecordBatch batch = RecordBatch.wrap(Batches.withRecordsSection(TEMPLATE, codec, section));
        RecordFormatException error = assertThrows(RecordFormatException.class, batch::ensureRecordsValid);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, error.errorCode());
        return error;
    }

    private static List<Record> recordsOf(RecordBatch batch) {
        return RecordBatchTest.recordsOf(batch);
    }

    private static byte[] compressed(CompressionType codec, byte[] input) {
        ByteArrayOutput output = new ByteArrayOutput(64);
        Compression.compress(codec, input, 0, input.length, output);
        return Arrays.copyOf(output.array(), output.size());
    }

    private static byte[] gzip(byte[] input) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(input);
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
