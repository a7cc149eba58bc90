package io.brook.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.records.testing.BatchGenerators;
import io.brook.api.records.testing.BatchSpec;
import io.brook.api.records.testing.RecordSpec;
import io.brook.api.v1.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Properties of the partition log against simple models: offset for timestamp, and idempotent
 * producer classification across reopens. A failure prints the input and seed; replay with
 * {@code qt().withFixedSeed(seed)}.
 */
class PartitionLogPropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60);

    private static void withLog(LogFixture.LogTest test, Object... config) {
        LogFixture.withRealLog(test, config);
    }

    /**
     * Any batches (0 to 1 MiB of payload, every codec, headers, null keys and values) appended to
     * the log read back as exactly the records put in, at the offsets the log assigned, whatever
     * the read size, before and after a reopen.
     */
    @Test
    void appendedBatchesReadBackAsTheSameRecords() {
        qt().withExamples(Math.max(10, EXAMPLES / 3))
                .forAll(lists().of(BatchGenerators.compressionTypes()
                                .zip(BatchGenerators.recordLists(), BatchSpec::of)).ofSizeBetween(1, 4),
                        integers().between(1, 2 << 20))
                .checkAssert((specs, readBytes) -> withLog(fixture -> {
                    List<Record> expected = new ArrayList<>();
                    for (BatchSpec spec : specs) {
                        AppendResult.Appended result = LogFixture.appended(fixture.log.appendAsLeader(spec.build(), 0));
                        List<RecordSpec> records = spec.records();
                        for (int i = 0; i < records.size(); i++) {
                            expected.add(records.get(i).toRecord(result.firstOffset() + i, records.get(i).timestamp()));
                        }
                    }
                    for (int pass = 0; pass < 2; pass++) {
                        List<Record> actual = new ArrayList<>();
                        long next = 0;
                        while (next < fixture.log.logEndOffset()) {
                            ReadResult result = fixture.log.read(next, readBytes, Long.MAX_VALUE, true);
                            for (RecordBatch batch : result.batches()) {
                                batch.ensureValid();
                                batch.ensureRecordsValid();
                                for (Record record : batch) {
                                    actual.add(record);
                                }
                                next = batch.nextOffset();
                            }
                        }
                        assertEquals(expected, actual);
                        fixture.closeAndReopen();
                    }
                }, "max.message.bytes", 4 << 20));
    }

    /**
     * For timestamps in any order (producers' clocks disagree), small segments and a dense or
     * sparse time index, offsetForTimestamp(T) is the first record whose timestamp is at least T,
     * before and after a reopen.
     */
    @Test
    void offsetForTimestampIsTheFirstRecordAtOrAfterTheTarget() {
        qt().withExamples(EXAMPLES)
                .forAll(lists().of(lists().of(integers().between(0, 1000)).ofSizeBetween(1, 4)).ofSizeBetween(1, 30),
                        integers().between(1, 400), lists().of(integers().between(-5, 1005)).ofSizeBetween(1, 10))
                .checkAssert((batches, indexInterval, targets) -> withLog(fixture -> {
                    List<long[]> model = new ArrayList<>(); // (timestamp, offset)
                    for (List<Integer> timestamps : batches) {
                        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
                        for (int timestamp : timestamps) {
                            builder.append(timestamp, null, LogFixture.bytes("t" + timestamp));
                        }
                        AppendResult.Appended result = LogFixture.appended(fixture.log.appendAsLeader(builder.build(), 0));
                        for (int i = 0; i < timestamps.size(); i++) {
                            model.add(new long[] {timestamps.get(i), result.firstOffset() + i});
                        }
                    }
                    for (int pass = 0; pass < 2; pass++) {
                        for (int target : targets) {
                            Optional<TimestampAndOffset> expected = Optional.empty();
                            for (long[] entry : model) {
                                if (entry[0] >= target) {
                                    expected = Optional.of(new TimestampAndOffset(entry[0], entry[1]));
                                    break;
                                }
                            }
                            assertEquals(expected, fixture.log.offsetForTimestamp(target), "target " + target);
                        }
                        fixture.closeAndReopen();
                    }
                }, "segment.bytes", 200, "index.interval.bytes", indexInterval));
    }

    /** What the model says an idempotent append should be answered with. */
    private enum Outcome { APPENDED, DUPLICATE, OUT_OF_ORDER, FENCED }

    /**
     * A producer retrying, skipping and restarting (new epochs), across clean and unclean reopens
     * and segment rolls: every append is classified as a model of Kafka's rules says (the model
     * keeps the whole history; the log keeps five batches per producer and snapshots).
     */
    @Test
    void idempotentAppendsAreClassifiedAsTheModelSaysAcrossReopens() {
        qt().withExamples(EXAMPLES)
                .forAll(lists().of(integers().between(0, 99)).ofSizeBetween(1, 50), booleans().all())
                .checkAssert((actions, unclean) -> withLog(fixture -> {
                    Map<Long, int[]> producers = new HashMap<>(); // producer id -> {epoch, next sequence}
                    Map<Long, List<int[]>> history = new HashMap<>(); // producer id -> {epoch, first, last, offset}
                    for (int action : actions) {
                        long producerId = action % 2;
                        int[] state = producers.computeIfAbsent(producerId, id -> new int[] {0, 0});
                        List<int[]> batches = history.computeIfAbsent(producerId, id -> new ArrayList<>());
                        int kind = (action / 2) % 10;
                        int epoch = state[0];
                        int first = state[1];
                        int count = 1 + action % 3;
                        if (kind == 7 && !batches.isEmpty()) { // retry of a recent batch
                            int[] old = batches.get(Math.max(0, batches.size() - 1 - (action % 7)));
                            epoch = old[0];
                            first = old[1];
                            count = old[2] - old[1] + 1;
                        } else if (kind == 8) { // a gap
                            first = state[1] + 1 + action % 3;
                        } else if (kind == 9) { // a new producer epoch starts over at 0
                            epoch = state[0] + 1;
                            first = 0;
                        } else if (kind == 6 && state[0] > 0) { // a zombie from the previous epoch
                            epoch = state[0] - 1;
                        }
                        int last = first + count - 1;
                        Outcome expected = expected(batches, state, epoch, first, last);
                        AppendResult result = fixture.log.appendAsLeader(
                                producerBatch(fixture, producerId, epoch, first, count), 0);
                        assertEquals(expected, outcome(result), "producer " + producerId + " epoch " + epoch
                                + " sequences " + first + ".." + last + " after " + batches.size() + " batches");
                        if (result instanceof AppendResult.Appended appended) {
                            batches.add(new int[] {epoch, first, last, (int) appended.firstOffset()});
                            state[0] = epoch;
                            state[1] = last + 1;
                        }
                        if (result instanceof AppendResult.Duplicate duplicate) {
                            int[] original = find(batches, epoch, first, last);
                            assertEquals(original[3], duplicate.firstOffset(), "the original offset");
                        }
                        if (action % 13 == 0) {
                            if (unclean) {
                                fixture.abandonAndReopen();
                            } else {
                                fixture.closeAndReopen();
                            }
                        }
                    }
                }, "segment.bytes", 300));
    }

    private static Outcome expected(List<int[]> batches, int[] state, int epoch, int first, int last) {
        if (batches.isEmpty()) {
            return Outcome.APPENDED; // an unknown producer may start anywhere
        }
        if (epoch < state[0]) {
            return Outcome.FENCED;
        }
        if (epoch > state[0]) {
            return first == 0 ? Outcome.APPENDED : Outcome.OUT_OF_ORDER;
        }
        List<int[]> sameEpoch = batches.stream().filter(b -> b[0] == epoch).toList();
        List<int[]> recent = sameEpoch.subList(Math.max(0, sameEpoch.size() - 5), sameEpoch.size());
        if (find(recent, epoch, first, last) != null) {
            return Outcome.DUPLICATE;
        }
        return first == state[1] ? Outcome.APPENDED : Outcome.OUT_OF_ORDER;
    }

    private static int[] find(List<int[]> batches, int epoch, int first, int last) {
        for (int[] batch : batches) {
            if (batch[0] == epoch && batch[1] == first && batch[2] == last) {
                return batch;
            }
        }
        return null;
    }

    private static Outcome outcome(AppendResult result) {
        if (result instanceof AppendResult.Appended) {
            return Outcome.APPENDED;
        }
        if (result instanceof AppendResult.Duplicate) {
            return Outcome.DUPLICATE;
        }
        ErrorCode error = ((AppendResult.Rejected) result).error();
        return switch (error) {
            case OUT_OF_ORDER_SEQUENCE -> Outcome.OUT_OF_ORDER;
            case INVALID_PRODUCER_EPOCH -> Outcome.FENCED;
            default -> throw new AssertionError("unexpected rejection " + result);
        };
    }

    private static ByteBuffer producerBatch(LogFixture fixture, long producerId, int epoch, int first, int count) {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE)
                .producer(producerId, (short) epoch, first);
        for (int i = 0; i < count; i++) {
            builder.append(fixture.clock.milliseconds(), null, LogFixture.bytes("p" + producerId + "-" + (first + i)));
        }
        return builder.build();
    }
}
