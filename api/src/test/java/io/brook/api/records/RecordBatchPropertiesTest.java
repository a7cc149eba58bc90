package io.brook.api.records;

import static io.brook.api.records.testing.BatchGenerators.batchSpecs;
import static io.brook.api.records.testing.BatchGenerators.recordLists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.brook.api.records.internal.ByteArrayOutput;
import io.brook.api.records.testing.BatchGenerators;
import io.brook.api.records.testing.BatchSpec;
import io.brook.api.records.testing.Batches;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Invariants of the batch format over generated batches (see {@link BatchGenerators}): every
 * codec, 0 to 1 MiB of payload, headers, null keys and values, extreme timestamps, producer fields.
 *
 * <p>QuickTheories prints the shrunk counterexample and the seed when a property fails. To replay
 * it, run this class with {@code -Dqt.seed=<seed>} (e.g. {@code mvn -o -pl api test
 * -Dtest=RecordBatchPropertiesTest -Dqt.seed=123456789}), or temporarily add
 * {@code .withFixedSeed(<seed>)} after {@code qt()}. Example counts keep the class at a few seconds;
 * raise them locally with {@code -DQT_EXAMPLES} only if the calls below drop {@code withExamples}.
 */
class RecordBatchPropertiesTest {

    @Test
    void everyBuiltBatchIsValidAndReadsBackExactlyTheRecordsPutIn() {
        qt().withExamples(150).forAll(batchSpecs()).checkAssert(spec -> {
            RecordBatch batch = RecordBatch.wrap(spec.build());

            batch.ensureValid();
            batch.ensureRecordsValid();
            assertEquals(spec.expectedRecords(), RecordBatchTest.recordsOf(batch));
            assertEquals(spec.baseOffset(), batch.baseOffset());
            assertEquals(spec.lastOffset(), batch.lastOffset());
            assertEquals(spec.records().size(), batch.recordCount());
            assertEquals(spec.compression(), batch.compressionType());
            assertEquals(spec.timestampType(), batch.timestampType());
            assertEquals(spec.expectedMaxTimestamp(), batch.maxTimestamp());
            assertEquals(spec.partitionLeaderEpoch(), batch.partitionLeaderEpoch());
            assertEquals(spec.producerId(), batch.producerId());
            assertEquals(spec.producerEpoch(), batch.producerEpoch());
            assertEquals(spec.baseSequence(), batch.baseSequence());
            assertEquals(spec.transactional(), batch.isTransactional());
            if (spec.baseSequence() >= 0) {
                assertEquals(RecordBatch.incrementSequence(spec.baseSequence(), spec.records().size() - 1),
                        batch.lastSequence());
            }
        });
    }

    @Test
    void uncompressedBatchSizeIsExactlyTheBuildersEstimate() {
        qt().withExamples(100).forAll(recordLists(20, 64 * 1024)).checkAssert(records -> {
            RecordBatchBuilder builder = BatchSpec.of(CompressionType.NONE, records).builder();
            int estimate = builder.estimatedSizeInBytes();
            assertEquals(estimate, builder.build().remaining());
        });
    }

    @Test
    void retainingAnySubsetKeepsOffsetsHeaderAndExactlyThoseRecords() {
        qt().withExamples(100)
                .forAll(batchSpecs(recordLists(20, 64 * 1024)), lists().of(booleans().all()).ofSize(20))
                .checkAssert((spec, keep) -> {
                    RecordBatch original = RecordBatch.wrap(spec.build());
                    List<Record> kept = new ArrayList<>();
                    RecordBatchBuilder builder = RecordBatchBuilder.retaining(original);
                    int index = 0;
                    for (Record record : original) {
                        if (keep.get(index++)) {
                            kept.add(record);
                            builder.appendWithOffset(record.offset(), record.timestamp(), record.key(),
                                    record.value(), record.headers());
                        }
                    }
                    RecordBatch compacted = RecordBatch.wrap(builder.build());

                    compacted.ensureValid();
                    compacted.ensureRecordsValid();
                    assertEquals(kept, RecordBatchTest.recordsOf(compacted));
                    assertEquals(original.baseOffset(), compacted.baseOffset());
                    assertEquals(original.lastOffset(), compacted.lastOffset());
                    assertEquals(original.maxTimestamp(), compacted.maxTimestamp());
                    assertEquals(original.producerId(), compacted.producerId());
                    assertEquals(original.lastSequence(), compacted.lastSequence());
                    assertEquals(original.partitionLeaderEpoch(), compacted.partitionLeaderEpoch());
                    assertEquals(kept.isEmpty() ? CompressionType.NONE : original.compressionType(),
                            compacted.compressionType());
                });
    }

    /** Damage anywhere after the header, CRC made to match: records or a RecordFormatException, nothing else. */
    @Test
    void damagedBatchesFailOnlyWithRecordFormatException() {
        qt().withExamples(300)
                .forAll(batchSpecs(recordLists(8, 2048)), integers().allPositive(), integers().between(0, 255),
                        integers().between(0, 2))
                .checkAssert((spec, where, replacement, kind) -> {
                    ByteBuffer bytes = spec.build();
                    int sectionLength = bytes.remaining() - RecordBatch.HEADER_SIZE;
                    int position = RecordBatch.HEADER_SIZE + where % Math.max(1, sectionLength);
                    ByteBuffer damaged = Batches.copy(bytes);
                    switch (kind) {
                        case 0 -> damaged.put(position, (byte) replacement.intValue());
                        case 1 -> damaged.put(position, (byte) (damaged.get(position) ^ (1 << (replacement % 8))));
                        default -> damaged = Batches.withRecordsSection(bytes, spec.compression(),
                                java.util.Arrays.copyOf(Batches.recordsSection(bytes), where % Math.max(1, sectionLength)));
                    }
                    MalformedBatchTest.decodeExpectingOnlyRecordFormatException(Batches.withCrcRecomputed(damaged));
                });
    }

    @Test
    void varintSizesMatchTheBytesWritten() {
        qt().withExamples(2000).forAll(integers().all(), longs().all()).checkAssert((intValue, longValue) -> {
            ByteArrayOutput output = new ByteArrayOutput(16);
            output.writeVarint(intValue);
            assertEquals(ByteArrayOutput.sizeOfVarint(intValue), output.size());
            assertTrue(output.size() <= 5);
            ByteArrayOutput longOutput = new ByteArrayOutput(16);
            longOutput.writeVarlong(longValue);
            assertEquals(ByteArrayOutput.sizeOfVarlong(longValue), longOutput.size());
            assertTrue(longOutput.size() <= 10);
        });
    }
}
