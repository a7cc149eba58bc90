package io.brook.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.v1.ErrorCode;
import io.brook.common.ManualClock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Property: any sequence of appends (in rising leader epochs), reads, truncations, rolls (small
 * segments roll often), retention, compaction, flushes and clean or unclean reopens leaves the
 * partition log equal to a naive in-memory model: a sorted map from offset to record.
 *
 * <p>Actions are decoded from plain integers so QuickTheories can shrink a failing history to a
 * short one with small arguments. A failure prints the falsifying list and the seed; replay it
 * with {@code qt().withFixedSeed(seed)}.
 */
class PartitionLogStatefulTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60);

    @Test
    void anyActionSequenceLeavesTheLogEqualToTheModel() {
        // On the in-memory file system a history costs about a millisecond: run many.
        qt().withExamples(EXAMPLES * 5)
                .forAll(lists().of(integers().between(0, 99_999)).ofSizeBetween(1, 60), booleans().all())
                .checkAssert((actions, compacted) -> {
                    try {
                        run(actions, compacted);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
    }

    /** One record of the model: what a read must return at its offset. */
    private record Expected(String key, String value) {
    }

    private static void run(List<Integer> actions, boolean compacted) throws IOException {
        LogFixture fixture = LogFixture.simulated(actions.hashCode());
        ManualClock clock = fixture.clock;
        fixture
                .with("segment.bytes", 400).with("index.interval.bytes", 64)
                .with("retention.bytes", 1200).with("retention.ms", -1)
                .with("delete.retention.ms", Long.MAX_VALUE / 4);
        if (compacted) {
            fixture.with("cleanup.policy", "compact,delete");
        }
        fixture.open();
        TreeMap<Long, Expected> model = new TreeMap<>();
        Random values = new Random(actions.hashCode());
        int epoch = 0;
        StringBuilder history = new StringBuilder();
        try {
            for (int encoded : actions) {
                int kind = encoded % 10;
                int argument = encoded / 10;
                PartitionLog log = fixture.log;
                long start = log.logStartOffset();
                long end = log.logEndOffset();
                switch (kind) {
                    case 0, 1, 2, 3 -> {
                        if (kind == 3) {
                            epoch++;
                        }
                        int count = 1 + argument % 4;
                        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
                        List<Expected> written = new ArrayList<>();
                        for (int i = 0; i < count; i++) {
                            String key = compacted ? "k" + values.nextInt(5) : null;
                            String value = compacted && values.nextInt(6) == 0 ? null : "v" + values.nextInt(1000);
                            builder.append(clock.milliseconds(), LogFixture.bytes(key), LogFixture.bytes(value));
                            written.add(new Expected(key, value));
                        }
                        history.append("append(").append(count).append(", epoch ").append(epoch).append(") ");
                        AppendResult.Appended result = LogFixture.appended(log.appendAsLeader(builder.build(), epoch));
                        assertEquals(end, result.firstOffset(), "offsets continue from the log end");
                        for (int i = 0; i < count; i++) {
                            model.put(result.firstOffset() + i, written.get(i));
                        }
                        clock.advance(1);
                    }
                    case 4 -> {
                        long offset = start + (end == start ? 0 : argument % (end - start + 1));
                        int maxBytes = 1 + argument % 700;
                        history.append("read(").append(offset).append(", ").append(maxBytes).append(") ");
                        checkRead(log, model, offset, maxBytes);
                    }
                    case 5 -> {
                        long offset = start + (end == start ? 0 : argument % (end - start + 1));
                        history.append("truncateTo(").append(offset).append(") ");
                        log.truncateTo(offset);
                        long newEnd = log.logEndOffset();
                        assertTrue(newEnd <= Math.max(offset, start), "truncation never keeps data at or above "
                                + offset + ": end " + newEnd);
                        model.tailMap(newEnd, true).clear();
                        if (!compacted) {
                            // Without compaction batches are contiguous: the new end is the start of the
                            // batch that held the offset, and nothing below it was lost.
                            assertEquals(model.isEmpty() ? Math.max(start, newEnd) : model.lastKey() + 1, newEnd);
                        }
                    }
                    case 6 -> {
                        history.append("retention ");
                        if (argument % 2 == 0 && end > start) {
                            long offset = start + argument % (end - start + 1);
                            log.deleteRecordsBefore(offset);
                            assertEquals(offset, log.logStartOffset());
                        } else {
                            log.deleteOldSegments();
                        }
                        long newStart = log.logStartOffset();
                        assertTrue(newStart >= start && newStart <= log.logEndOffset());
                        model.headMap(newStart, false).clear();
                    }
                    case 7 -> {
                        boolean clean = argument % 2 == 0;
                        history.append(clean ? "closeAndReopen " : "crashAndReopen ");
                        if (clean) {
                            fixture.closeAndReopen();
                        } else {
                            fixture.abandonAndReopen();
                        }
                        assertEquals(end, fixture.log.logEndOffset(), "reopen keeps the log end");
                        assertEquals(start, fixture.log.logStartOffset(), "reopen keeps the log start");
                    }
                    case 8 -> {
                        history.append("flush ");
                        log.flush();
                        assertEquals(end, log.recoveryPoint());
                    }
                    default -> {
                        history.append("compact ");
                        List<Long> segments = log.segmentBaseOffsets();
                        long cleanableEnd = segments.get(segments.size() - 1);
                        LogCleaner.clean(log, true);
                        if (compacted) {
                            applyCompaction(model, cleanableEnd);
                        }
                    }
                }
                checkWholeLog(fixture, model);
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("after " + history + ": " + e.getMessage(), e);
        } finally {
            fixture.close();
        }
    }

    /** Compaction of [log start, end): a keyed record goes when a later one before end has its key. */
    private static void applyCompaction(TreeMap<Long, Expected> model, long end) {
        Map<String, Long> latest = new HashMap<>();
        for (Map.Entry<Long, Expected> entry : model.headMap(end, false).entrySet()) {
            latest.put(entry.getValue().key(), entry.getKey());
        }
        model.headMap(end, false).entrySet().removeIf(entry ->
                entry.getValue().key() == null || latest.get(entry.getValue().key()) > entry.getKey());
    }

    private static void checkRead(PartitionLog log, TreeMap<Long, Expected> model, long offset, int maxBytes) {
        ReadResult result = log.read(offset, maxBytes, Long.MAX_VALUE, true);
        assertEquals(ErrorCode.NONE, result.error(), result.message());
        boolean first = true;
        long previousLast = -1;
        for (RecordBatch batch : result.batches()) {
            batch.ensureValid();
            if (first) {
                assertTrue(batch.lastOffset() >= offset, "the first batch holds the requested offset or later");
            }
            assertTrue(batch.baseOffset() > previousLast, "batches in offset order");
            previousLast = batch.lastOffset();
            first = false;
            for (Record record : batch) {
                if (record.offset() < offset) {
                    continue; // below the position (or the log start): a reader skips these
                }
                Expected expected = model.get(record.offset());
                assertEquals(expected, actual(record), "record at offset " + record.offset());
            }
        }
        if (offset < log.logEndOffset() && model.ceilingKey(offset) != null) {
            assertTrue(result.records().hasRemaining(), "a read below the end returns at least one batch");
        }
    }

    private static void checkWholeLog(LogFixture fixture, TreeMap<Long, Expected> model) {
        PartitionLog log = fixture.log;
        assertTrue(log.logStartOffset() <= log.logEndOffset());
        assertTrue(log.recoveryPoint() <= log.logEndOffset());
        TreeMap<Long, Expected> actual = new TreeMap<>();
        for (Record record : fixture.records(log.logStartOffset())) {
            actual.put(record.offset(), actual(record));
        }
        assertEquals(model, actual, "log contents");
        if (!model.isEmpty()) {
            assertTrue(model.lastKey() < log.logEndOffset());
        }
    }

    private static Expected actual(Record record) {
        return new Expected(record.hasKey() ? LogFixture.string(record.keyBytes()) : null,
                record.hasValue() ? LogFixture.string(record.valueBytes()) : null);
    }
}
