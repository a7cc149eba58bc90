package io.brook.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.brook.api.records.Record;
import io.brook.common.ManualClock;
import io.brook.storage.testing.SimulatedFileIo;
import io.brook.storage.testing.SimulatedFileIo.CrashMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction: the latest record per key survives with its offset; tombstones go after
 * {@code delete.retention.ms}; the active segment is never touched; a crash at any step of the
 * segment swap leaves either the old or the cleaned log.
 */
class LogCleanerTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60);

    @TempDir
    Path tmp;

    /** (offset, key, value) as read back; value null for a tombstone. */
    private record Entry(String key, String value) {
    }

    private static TreeMap<Long, Entry> contents(LogFixture fixture) {
        TreeMap<Long, Entry> contents = new TreeMap<>();
        for (Record record : fixture.records(fixture.log.logStartOffset())) {
            assertTrue(contents.isEmpty() || record.offset() > contents.lastKey(), "offsets strictly increase");
            contents.put(record.offset(), new Entry(LogFixture.string(record.keyBytes()),
                    record.hasValue() ? LogFixture.string(record.valueBytes()) : null));
        }
        return contents;
    }

    /** Writes keyed records (value null = tombstone), one batch each, and rolls once at the end. */
    private static TreeMap<Long, Entry> writeHistory(LogFixture fixture, List<Integer> writes) {
        TreeMap<Long, Entry> written = new TreeMap<>();
        for (int write : writes) {
            String key = "key-" + write % 7;
            String value = write % 11 == 0 ? null : "value-" + write;
            AppendResult.Appended result = LogFixture.appended(
                    fixture.log.appendAsLeader(fixture.keyed(fixture.clock.milliseconds(), key, value), 0));
            written.put(result.firstOffset(), new Entry(key, value));
            fixture.clock.advance(1);
        }
        // Move everything out of the active segment, which compaction never touches.
        fixture.with("segment.ms", 1);
        fixture.clock.advance(10);
        AppendResult.Appended sentinel = LogFixture.appended(
                fixture.log.appendAsLeader(fixture.keyed(fixture.clock.milliseconds(), "sentinel", "end"), 0));
        written.put(sentinel.firstOffset(), new Entry("sentinel", "end"));
        return written;
    }

    /** The model: the last record of every key (a tombstone if the last write deleted it). */
    private static TreeMap<Long, Entry> latestPerKey(TreeMap<Long, Entry> written) {
        Map<String, Long> latest = new LinkedHashMap<>();
        written.forEach((offset, entry) -> latest.put(entry.key(), offset));
        TreeMap<Long, Entry> expected = new TreeMap<>();
        latest.values().forEach(offset -> expected.put(offset, written.get(offset)));
        return expected;
    }

    @Test
    void keepsTheLatestRecordPerKeyAtItsOriginalOffset() {
        qt().withExamples(EXAMPLES)
                .forAll(lists().of(integers().between(0, 500)).ofSizeBetween(1, 80), integers().between(120, 600))
                .checkAssert((writes, segmentBytes) -> {
                    try {
                        LogFixture fixture = LogFixture.simulated(writes.hashCode()).with("cleanup.policy", "compact")
                                .with("segment.bytes", segmentBytes).with("delete.retention.ms", 1_000_000).open();
                        TreeMap<Long, Entry> written = writeHistory(fixture, writes);
                        long endBefore = fixture.log.logEndOffset();
                        LogCleaner.clean(fixture.log, true);
                        TreeMap<Long, Entry> expected = latestPerKey(written);
                        assertEquals(expected, contents(fixture), "latest per key, offsets unchanged");
                        assertEquals(endBefore, fixture.log.logEndOffset());
                        assertFalse(LogCleaner.clean(fixture.log, false).cleaned(), "nothing dirty is left");
                        LogCleaner.clean(fixture.log, true);
                        assertEquals(expected, contents(fixture), "cleaning twice changes nothing");
                        fixture.closeAndReopen();
                        assertEquals(expected, contents(fixture), "survives a reopen");
                        fixture.close();
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
    }

    @Test
    void removesTombstonesOnlyAfterDeleteRetentionMs() throws IOException {
        LogFixture fixture = new LogFixture(tmp).with("cleanup.policy", "compact")
                .with("delete.retention.ms", 1000).open();
        TreeMap<Long, Entry> written = writeHistory(fixture, List.of(1, 2, 11, 3));
        LogCleaner.clean(fixture.log, true);
        TreeMap<Long, Entry> expected = latestPerKey(written);
        assertTrue(expected.containsValue(new Entry("key-4", null)));
        assertEquals(expected, contents(fixture), "a fresh tombstone stays");
        fixture.clock.advance(2000);
        assertTrue(LogCleaner.clean(fixture.log, false).cleaned(), "expiring tombstones make the log cleanable");
        expected.values().removeIf(entry -> entry.value() == null);
        assertEquals(expected, contents(fixture), "an old tombstone goes");
        fixture.close();
    }

    @Test
    void neverTouchesTheActiveSegmentOrDataAtOrAboveTheHighWatermark() throws IOException {
        LogFixture fixture = new LogFixture(tmp).with("cleanup.policy", "compact").open();
        for (int i = 0; i < 5; i++) {
            fixture.log.appendAsLeader(fixture.keyed(fixture.clock.milliseconds(), "same", "v" + i), 0);
        }
        assertFalse(LogCleaner.clean(fixture.log, true).cleaned(), "all in the active segment");
        assertEquals(5, contents(fixture).size());
        writeHistory(fixture, List.of(1, 1, 1));
        TreeMap<Long, Entry> before = contents(fixture);
        fixture.log.updateHighWatermark(2);
        LogCleaner.clean(fixture.log, true);
        assertEquals(before, contents(fixture), "segments reaching the high watermark are not cleanable");
        fixture.log.updateHighWatermark(Long.MAX_VALUE);
        LogCleaner.clean(fixture.log, true);
        assertEquals(latestPerKey(before), contents(fixture));
        fixture.close();
    }

    /**
     * Regression (found by the stateful model test): a truncation below the cleaner checkpoint
     * left it in place, so records appended again below it counted as already cleaned and their
     * superseded versions were never removed.
     */
    @Test
    void aTruncationBelowTheCleanerCheckpointMakesTheNewRecordsDirty() throws IOException {
        LogFixture fixture = new LogFixture(tmp).with("cleanup.policy", "compact").open();
        writeHistory(fixture, List.of(1, 2, 3, 4));
        LogCleaner.clean(fixture.log, true);
        fixture.log.truncateTo(0);
        TreeMap<Long, Entry> written = writeHistory(fixture, List.of(1, 1, 1, 2));
        LogCleaner.clean(fixture.log, true);
        assertEquals(latestPerKey(written), contents(fixture));
        fixture.close();
    }

    @Test
    void runsWhenTheDirtyRatioReachesMinCleanableDirtyRatio() throws IOException {
        LogFixture fixture = new LogFixture(tmp).with("cleanup.policy", "compact")
                .with("min.cleanable.dirty.ratio", 0.9).open();
        writeHistory(fixture, List.of(1, 2, 3, 1, 2, 3));
        assertEquals(1.0, LogCleaner.dirtyRatio(fixture.log));
        assertTrue(LogCleaner.clean(fixture.log, false).cleaned());
        assertEquals(0.0, LogCleaner.dirtyRatio(fixture.log));
        fixture.close();
    }

    /**
     * Power loss at every step of a cleaning pass (each file-system mutation is a crash point):
     * the reopened log holds only original records at their original offsets, and at least every
     * record compaction keeps: never a lost latest value, never a duplicate or a half-swapped mix.
     */
    @Test
    void aCrashAtAnyStepOfTheSwapKeepsOnlyOriginalRecordsAndEveryLatestOne() {
        qt().withExamples(EXAMPLES)
                .forAll(lists().of(integers().between(0, 60)).ofSizeBetween(2, 20), longs().all(),
                        integers().between(0, 1_000_000))
                .checkAssert((writes, seed, crashPoint) -> {
                    try {
                        long mutations = mutationsOfOnePass(writes, seed);
                        crashDuringCleaning(writes, seed, crashPoint % (mutations + 1), mutations);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
    }

    /** The same for one fixed history, at every crash point (the exhaustive sweep). */
    @Test
    void aCrashAtEveryStepOfOneCleaningPassIsSafe() throws IOException {
        List<Integer> writes = List.of(1, 2, 3, 1, 2, 11, 4, 1, 22, 3, 5, 6);
        long mutations = mutationsOfOnePass(writes, 42);
        assertTrue(mutations > 10, "a pass with several swaps: " + mutations);
        for (long crashAt = 0; crashAt <= mutations; crashAt++) {
            crashDuringCleaning(writes, 42, crashAt, mutations);
        }
    }

    /** How many file-system mutations a complete pass makes on this history: the crash points. */
    private static long mutationsOfOnePass(List<Integer> writes, long seed) throws IOException {
        SimulatedFileIo io = new SimulatedFileIo(seed);
        LogFixture fixture = prepared(io, writes);
        long before = io.mutationCount();
        LogCleaner.clean(fixture.log, true);
        return io.mutationCount() - before;
    }

    private static void crashDuringCleaning(List<Integer> writes, long seed, long crashAt, long mutations)
            throws IOException {
        SimulatedFileIo io = new SimulatedFileIo(seed);
        LogFixture fixture = prepared(io, writes);
        TreeMap<Long, Entry> before = contents(fixture);
        io.scheduleCrash(crashAt, CrashMode.DROP_UNFLUSHED);
        try {
            LogCleaner.clean(fixture.log, true);
        } catch (IOException | RuntimeException expected) {
            // the crash interrupted the pass
        }
        io.crash(CrashMode.DROP_UNFLUSHED);
        io.clearFaults();
        fixture.abandonAndReopen();
        TreeMap<Long, Entry> after = contents(fixture);
        TreeMap<Long, Entry> cleaned = latestPerKey(before);
        // Each group of segments is swapped on its own, so a crash between two swaps leaves some
        // groups cleaned: the invariant is that every record is an original one at its original
        // offset, and every record cleaning must keep is there.
        String where = "crash before mutation " + crashAt + " of " + mutations + ":\n" + after
                + "\nold: " + before + "\ncleaned: " + cleaned;
        assertTrue(before.entrySet().containsAll(after.entrySet()), "a record that was never written, " + where);
        assertTrue(after.entrySet().containsAll(cleaned.entrySet()), "a surviving record was lost, " + where);
    }

    private static LogFixture prepared(SimulatedFileIo io, List<Integer> writes) throws IOException {
        LogFixture fixture = new LogFixture(io.root(), io, new ManualClock()).with("cleanup.policy", "compact")
                .with("segment.bytes", 150).with("delete.retention.ms", 1_000_000).open();
        writeHistory(fixture, writes);
        fixture.log.flush();
        return fixture;
    }
}
