package io.brook.api.records.testing;

import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Header;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.TimestampType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories generators of record batches, shared with every test that needs arbitrary
 * batches (the format's own property tests, the partition log's, replication's).
 *
 * <p>Everything shrinks: a failing batch shrinks towards fewer records, shorter keys and values,
 * fewer headers, no compression and small field values. Byte contents are derived from a generated
 * (length, seed, shape) triple rather than byte by byte, so a 1 MiB value costs three draws, not a
 * million, and still shrinks (to shorter, then simpler, content). Shapes mix random bytes
 * (incompressible: exercises codecs' stored-block paths), one repeated byte (extremely
 * compressible) and text-like bytes.
 *
 * <p>Stateless; thread-safe.
 */
public final class BatchGenerators {
    /** The largest total payload (keys, values, headers) of a generated batch: 1 MiB. */
    public static final int MAX_BATCH_PAYLOAD_BYTES = 1024 * 1024;
    /** The most records a generated batch holds. */
    public static final int MAX_RECORDS = 64;

    /** A plausible wall-clock time in milliseconds (2025), around which most timestamps fall. */
    private static final long NOW_MS = 1_750_000_000_000L;

    private BatchGenerators() {
    }

    /** Every codec, shrinking towards {@link CompressionType#NONE}. */
    public static Gen<CompressionType> compressionTypes() {
        return arbitrary().enumValues(CompressionType.class);
    }

    /**
     * Record timestamps a producer may send: {@link RecordBatch#NO_TIMESTAMP}, the extremes 0 and
     * {@code Long.MAX_VALUE}, and mostly times near now, a few hours either way (records in a batch
     * need not be in timestamp order).
     */
    public static Gen<Long> timestamps() {
        return Generate.frequency(
                Pair.of(1, arbitrary().pick(RecordBatch.NO_TIMESTAMP, 0L, Long.MAX_VALUE)),
                Pair.of(1, longs().between(RecordBatch.NO_TIMESTAMP, Long.MAX_VALUE)),
                Pair.of(8, longs().between(NOW_MS - 10_000_000L, NOW_MS + 10_000_000L)));
    }

    /** Byte arrays of 0 to {@code maxLength} bytes, mostly short; never null. */
    public static Gen<byte[]> bytes(int maxLength) {
        Gen<Integer> lengths = Generate.frequency(
                Pair.of(6, integers().between(0, Math.min(maxLength, 32))),
                Pair.of(3, integers().between(0, Math.min(maxLength, 2048))),
                Pair.of(1, integers().between(0, maxLength)));
        Gen<Integer> shapes = integers().between(0, 2);
        return lengths.zip(longs().all(), shapes, BatchGenerators::content);
    }

    /** Like {@link #bytes(int)}, null about one time in {@code 100 / nullPercent}. */
    public static Gen<byte[]> nullableBytes(int maxLength, int nullPercent) {
        return integers().between(0, 99).zip(bytes(maxLength), (roll, bytes) -> roll < nullPercent ? null : bytes);
    }

    /** 0 to 4 headers: short keys (some repeated, some non-ASCII), small values, some null. */
    public static Gen<List<Header>> headers() {
        Gen<String> keys = arbitrary().pick("", "trace-id", "trace-id", "content-type", "schema",
                "ключ", "日本語", "emoji-\uD83D\uDE00");
        Gen<Header> header = keys.zip(nullableBytes(64, 20), Header::of);
        return lists().of(header).ofSizeBetween(0, 4);
    }

    /** One record: timestamp, nullable key and value (values up to 1 MiB), headers. */
    public static Gen<RecordSpec> recordSpecs(int maxValueLength) {
        Gen<List<Header>> headerLists = Generate.frequency(
                Pair.of(3, arbitrary().constant(List.of())), Pair.of(1, headers()));
        return timestamps().zip(nullableBytes(64, 15), nullableBytes(maxValueLength, 10), headerLists,
                RecordSpec::new);
    }

    /**
     * The records of one batch: 1 to {@value #MAX_RECORDS} records whose total payload is at most
     * {@value #MAX_BATCH_PAYLOAD_BYTES} bytes (records past the budget are cut short).
     */
    public static Gen<List<RecordSpec>> recordLists() {
        return recordLists(MAX_RECORDS, MAX_BATCH_PAYLOAD_BYTES);
    }

    /** 1 to {@code maxRecords} records, at most {@code maxPayloadBytes} in total. */
    public static Gen<List<RecordSpec>> recordLists(int maxRecords, int maxPayloadBytes) {
        Gen<Integer> sizes = Generate.frequency(
                Pair.of(3, integers().between(1, Math.min(maxRecords, 5))),
                Pair.of(1, integers().between(1, maxRecords)));
        return lists().of(recordSpecs(maxPayloadBytes)).ofSizes(sizes)
                .map(records -> withinBudget(records, maxPayloadBytes));
    }

    /** Producer id, epoch, base sequence: none at all, or arbitrary ones, some about to wrap. */
    public static Gen<long[]> producerFields() {
        Gen<long[]> none = arbitrary().constant(() -> new long[] {
                RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE});
        Gen<Integer> sequences = Generate.frequency(
                Pair.of(3, integers().between(0, Integer.MAX_VALUE)),
                Pair.of(1, integers().between(Integer.MAX_VALUE - MAX_RECORDS, Integer.MAX_VALUE)));
        Gen<long[]> some = longs().between(0, Long.MAX_VALUE)
                .zip(integers().between(0, Short.MAX_VALUE), sequences,
                        (id, epoch, sequence) -> new long[] {id, epoch, sequence});
        return Generate.frequency(Pair.of(1, none), Pair.of(2, some));
    }

    /**
     * Whole batches: every codec, CreateTime or LogAppendTime, base offsets from 0 to near the
     * top of the offset range, any partition leader epoch, producer fields (sometimes
     * transactional), and {@link #recordLists()}.
     */
    public static Gen<BatchSpec> batchSpecs() {
        return batchSpecs(recordLists());
    }

    /** Whole batches around the given record lists. */
    public static Gen<BatchSpec> batchSpecs(Gen<List<RecordSpec>> recordLists) {
        Gen<Long> baseOffsets = Generate.frequency(
                Pair.of(3, longs().between(0, 1000)),
                Pair.of(1, longs().between(0, Long.MAX_VALUE - MAX_RECORDS - 1)));
        Gen<Integer> epochs = Generate.frequency(
                Pair.of(1, arbitrary().constant(RecordBatch.NO_PARTITION_LEADER_EPOCH)),
                Pair.of(2, integers().between(0, Integer.MAX_VALUE)));
        Gen<Long> logAppendTimes = Generate.frequency(
                Pair.of(4, arbitrary().constant(RecordBatch.NO_TIMESTAMP)), Pair.of(1, timestamps()));
        Gen<Pair<long[], Boolean>> producers = producerFields().zip(booleans().all(),
                (fields, transactional) -> Pair.of(fields, transactional && fields[0] >= 0));
        Gen<Pair<CompressionType, Long>> placement = compressionTypes().zip(baseOffsets, Pair::of);
        return placement.zip(epochs, logAppendTimes, producers, recordLists,
                (codecAndOffset, epoch, appendTime, producer, records) -> new BatchSpec(
                        codecAndOffset._1, codecAndOffset._2, epoch,
                        appendTime == RecordBatch.NO_TIMESTAMP ? TimestampType.CREATE_TIME
                                : TimestampType.LOG_APPEND_TIME,
                        appendTime, producer._1[0], (short) producer._1[1], (int) producer._1[2],
                        producer._2, records));
    }

    /** Builds the batch described by {@code spec}: position 0, limit at its end. */
    public static ByteBuffer build(BatchSpec spec) {
        return spec.build();
    }

    /** Builds a CreateTime batch at offset 0, no producer fields, from {@code records}. */
    public static ByteBuffer build(CompressionType compression, List<RecordSpec> records) {
        return BatchSpec.of(compression, records).build();
    }

    private static List<RecordSpec> withinBudget(List<RecordSpec> records, int budget) {
        List<RecordSpec> kept = new ArrayList<>(records.size());
        int remaining = budget;
        for (RecordSpec record : records) {
            int size = record.payloadBytes();
            if (size <= remaining) {
                kept.add(record);
                remaining -= size;
            } else {
                int valueRoom = Math.max(0, remaining - (size - length(record.value())));
                byte[] value = record.value() == null ? null
                        : Arrays.copyOf(record.value(), Math.min(valueRoom, record.value().length));
                RecordSpec trimmed = new RecordSpec(record.timestamp(), record.key(), value, record.headers());
                if (trimmed.payloadBytes() <= remaining) {
                    kept.add(trimmed);
                    remaining -= trimmed.payloadBytes();
                }
            }
        }
        return kept.isEmpty() ? List.of(new RecordSpec(RecordBatch.NO_TIMESTAMP, null, null, List.of())) : kept;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static byte[] content(int length, long seed, int shape) {
        byte[] bytes = new byte[length];
        SplittableRandom random = new SplittableRandom(seed);
        switch (shape) {
            case 0 -> Arrays.fill(bytes, (byte) seed);
            case 1 -> {
                byte[] alphabet = "abcdefghij {}\":,0123456789".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < length; i++) {
                    bytes[i] = alphabet[random.nextInt(alphabet.length)];
                }
            }
            default -> random.nextBytes(bytes);
        }
        return bytes;
    }
}
