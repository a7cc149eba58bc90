package io.brook.storage;

import static io.brook.storage.LogFixture.appended;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.records.TimestampType;
import io.brook.api.v1.ErrorCode;
import io.brook.storage.testing.SimulatedFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    @TempDir
    Path tmp;
    LogFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new LogFixture(tmp);
    }

    @AfterEach
    void tearDown() throws IOException {
        fixture.close();
    }

    private PartitionLog log() {
        return fixture.log;
    }

    @Test
    void assignsOffsetsFromTheLogEndOffset() throws IOException {
        fixture.open();
        AppendResult.Appended first = fixture.append("a", "b", "c");
        AppendResult.Appended second = fixture.append("d");
        assertEquals(0, first.firstOffset());
        assertEquals(2, first.lastOffset());
        assertEquals(3, first.recordCount());
        assertEquals(3, second.firstOffset());
        assertEquals(4, log().logEndOffset());
        assertEquals(List.of("a", "b", "c", "d"), fixture.values());
    }

    @Test
    void stampsTheLeaderEpochOnEveryBatch() throws IOException {
        fixture.open();
        log().appendAsLeader(fixture.batch("a"), 7);
        ReadResult result = log().read(0, 1024, Long.MAX_VALUE, true);
        RecordBatch batch = result.batches().iterator().next();
        assertEquals(7, batch.partitionLeaderEpoch());
        batch.ensureValid();
    }

    @Test
    void readReturnsWholeBatchesStartingWithTheOneHoldingTheOffset() throws IOException {
        fixture.open();
        fixture.append("a", "b", "c");
        fixture.append("d", "e");
        ReadResult result = log().read(1, 1 << 20, Long.MAX_VALUE, true);
        List<Long> baseOffsets = new ArrayList<>();
        for (RecordBatch batch : result.batches()) {
            baseOffsets.add(batch.baseOffset());
        }
        assertEquals(List.of(0L, 3L), baseOffsets);
        assertEquals(0, result.logStartOffset());
        assertEquals(5, result.logEndOffset());
    }

    @Test
    void readStopsBeforeABatchThatReachesTheMaxOffset() throws IOException {
        fixture.open();
        fixture.append("a", "b");
        fixture.append("c", "d");
        ReadResult belowHighWatermark = log().read(0, 1 << 20, 3, true);
        int batches = 0;
        for (RecordBatch batch : belowHighWatermark.batches()) {
            assertTrue(batch.lastOffset() < 3);
            batches++;
        }
        assertEquals(1, batches);
        assertFalse(log().read(2, 1 << 20, 2, true).records().hasRemaining());
    }

    @Test
    void readReturnsTheFirstBatchWholeEvenWhenLargerThanMaxBytesOnlyIfAsked() throws IOException {
        fixture.open();
        fixture.append("a".repeat(500));
        ReadResult whole = log().read(0, 10, Long.MAX_VALUE, true);
        assertEquals(1, count(whole.batches()));
        ReadResult none = log().read(0, 10, Long.MAX_VALUE, false);
        assertEquals(0, none.records().remaining());
    }

    @Test
    void readStopsAtMaxBytesOnABatchBoundary() throws IOException {
        fixture.open();
        for (int i = 0; i < 10; i++) {
            fixture.append("value-" + i);
        }
        int oneBatch = log().read(0, 1 << 20, 1, true).records().remaining();
        ReadResult result = log().read(0, oneBatch * 3 + oneBatch / 2, Long.MAX_VALUE, true);
        assertEquals(3, count(result.batches()));
        assertEquals(oneBatch * 3, result.records().remaining());
    }

    @Test
    void readOutsideTheLogIsOffsetOutOfRange() throws IOException {
        fixture.open();
        fixture.append("a");
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, log().read(5, 100, Long.MAX_VALUE, true).error());
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, log().read(-1, 100, Long.MAX_VALUE, true).error());
        ReadResult atEnd = log().read(1, 100, Long.MAX_VALUE, true);
        assertEquals(ErrorCode.NONE, atEnd.error());
        assertFalse(atEnd.records().hasRemaining());
    }

    @Test
    void rejectsABatchWithABadCrcAndWritesNothing() throws IOException {
        fixture.open();
        ByteBuffer batch = fixture.batch("a", "b");
        batch.put(batch.limit() - 1, (byte) (batch.get(batch.limit() - 1) ^ 1));
        AppendResult result = log().appendAsLeader(batch, 0);
        AppendResult.Rejected rejected = assertInstanceOf(AppendResult.Rejected.class, result);
        assertEquals(ErrorCode.CORRUPT_MESSAGE, rejected.error());
        assertTrue(rejected.message().contains("orders-0"), rejected.message());
        assertEquals(0, log().logEndOffset());
        assertEquals(0, log().sizeInBytes());
    }

    @Test
    void rejectsTrailingBytesThatAreNotAWholeBatch() throws IOException {
        fixture.open();
        ByteBuffer whole = fixture.batch("a");
        ByteBuffer withTail = ByteBuffer.allocate(whole.remaining() + 5);
        withTail.put(whole).put(new byte[5]).flip();
        AppendResult.Rejected rejected = assertInstanceOf(AppendResult.Rejected.class,
                log().appendAsLeader(withTail, 0));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, rejected.error());
        assertEquals(0, log().logEndOffset());
    }

    @Test
    void rejectsABatchLargerThanMaxMessageBytes() throws IOException {
        fixture.with("max.message.bytes", 200).open();
        AppendResult.Rejected rejected = assertInstanceOf(AppendResult.Rejected.class,
                log().appendAsLeader(fixture.batch("x".repeat(300)), 0));
        assertEquals(ErrorCode.RECORD_TOO_LARGE, rejected.error());
        assertTrue(rejected.message().contains("max.message.bytes=200"), rejected.message());
        assertEquals(0, log().sizeInBytes());
    }

    @Test
    void rejectsARecordWithoutAKeyOnACompactedTopic() throws IOException {
        fixture.with("cleanup.policy", "compact").open();
        AppendResult.Rejected rejected = assertInstanceOf(AppendResult.Rejected.class,
                log().appendAsLeader(fixture.batch("no key"), 0));
        assertEquals(ErrorCode.INVALID_RECORD, rejected.error());
        appended(log().appendAsLeader(fixture.keyed(1, "k", "v"), 0));
    }

    @Test
    void stampsTheAppendTimeUnderLogAppendTime() throws IOException {
        fixture.with("message.timestamp.type", "LogAppendTime").open();
        long now = fixture.clock.milliseconds();
        AppendResult.Appended result = appended(log().appendAsLeader(fixture.batch(5L, "a", "b"), 0));
        assertEquals(now, result.logAppendTimeMs());
        for (Record record : fixture.records(0)) {
            assertEquals(now, record.timestamp());
        }
        RecordBatch batch = log().read(0, 1024, Long.MAX_VALUE, true).batches().iterator().next();
        batch.ensureValid();
        assertEquals(TimestampType.LOG_APPEND_TIME, batch.timestampType());
    }

    @Test
    void rollsASegmentWhenTheActiveOneWouldExceedSegmentBytes() throws IOException {
        fixture.with("segment.bytes", 200).open();
        for (int i = 0; i < 6; i++) {
            fixture.append("value-" + i + "-" + "x".repeat(40));
        }
        assertTrue(log().numberOfSegments() > 1, "segments: " + log().segmentBaseOffsets());
        try (Stream<Path> files = Files.list(fixture.directory)) {
            List<String> logs = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted()
                    .toList();
            assertEquals("00000000000000000000.log", logs.get(0));
            assertEquals(log().numberOfSegments(), logs.size());
        }
        assertEquals(6, fixture.values().size());
    }

    @Test
    void rollsASegmentWhenItsFirstBatchIsOlderThanSegmentMs() throws IOException {
        fixture.with("segment.ms", 1000).open();
        fixture.append("a");
        fixture.clock.advance(500);
        fixture.append("b");
        assertEquals(1, log().numberOfSegments());
        fixture.clock.advance(600);
        fixture.append("c");
        assertEquals(List.of(0L, 2L), log().segmentBaseOffsets());
    }

    /**
     * Regression: time-based rolling once compared the segment's first timestamp with the wall
     * clock, so a producer replaying old data (timestamps long past) rolled a new segment, with
     * an fsync, for every batch: the append benchmark ran at 100 batches/s.
     */
    @Test
    void doesNotRollPerBatchWhenAProducerSendsOldTimestamps() throws IOException {
        fixture.with("segment.ms", 1000).open();
        for (int i = 0; i < 10; i++) {
            log().appendAsLeader(fixture.batch(5L, "replayed-" + i), 0);
            fixture.clock.advance(5000);
        }
        assertEquals(1, log().numberOfSegments());
        log().appendAsLeader(fixture.batch(5L + 1001, "a second later in record time"), 0);
        assertEquals(2, log().numberOfSegments());
    }

    @Test
    void keepsEverythingAcrossACleanCloseAndReopen() throws IOException {
        fixture.with("segment.bytes", 300).with("index.interval.bytes", 50).open();
        for (int i = 0; i < 30; i++) {
            fixture.append("value-" + i);
        }
        List<String> before = fixture.values();
        List<Long> segments = log().segmentBaseOffsets();
        fixture.closeAndReopen();
        assertEquals(before, fixture.values());
        assertEquals(segments, log().segmentBaseOffsets());
        assertEquals(30, log().logEndOffset());
        assertEquals(30, log().recoveryPoint());
        fixture.append("after");
        assertEquals(31, log().logEndOffset());
    }

    @Test
    void recoversAfterAnUncleanStopByCuttingATornTail() throws IOException {
        fixture.open();
        fixture.append("a", "b");
        fixture.append("c");
        Path segment = fixture.directory.resolve("00000000000000000000.log");
        long validSize = Files.size(segment);
        Files.write(segment, new byte[] {0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 1, 0, 7}, java.nio.file.StandardOpenOption.APPEND);
        fixture.abandonAndReopen();
        assertEquals(3, log().logEndOffset());
        assertEquals(validSize, Files.size(segment));
        assertEquals(List.of("a", "b", "c"), fixture.values());
        fixture.append("d");
        assertEquals(List.of("a", "b", "c", "d"), fixture.values());
    }

    @Test
    void rebuildsATornIndexOfACleanlyClosedSegmentInsteadOfTrustingIt() throws IOException {
        fixture.with("segment.bytes", 400).with("index.interval.bytes", 30).open();
        for (int i = 0; i < 20; i++) {
            fixture.append("value-" + i);
        }
        List<String> before = fixture.values();
        log().close();
        Path index = fixture.directory.resolve("00000000000000000000.index");
        assertTrue(Files.size(index) >= 16, "the first segment has index entries");
        byte[] garbage = new byte[(int) Files.size(index)];
        java.util.Arrays.fill(garbage, (byte) 0x7f);
        Files.write(index, garbage);
        fixture.open();
        assertEquals(before, fixture.values());
        for (long offset = 0; offset < 20; offset++) {
            RecordBatch first = log().read(offset, 1, Long.MAX_VALUE, true).batches().iterator().next();
            assertTrue(first.baseOffset() <= offset && offset <= first.lastOffset(), "lookup of " + offset);
        }
    }

    @Test
    void anIoErrorTakesTheLogOfflineAndARestartFindsEverythingAcknowledged() throws IOException {
        LogFixture simulated = LogFixture.simulated(9).with("segment.bytes", 300).open();
        SimulatedFileIo io = (SimulatedFileIo) simulated.io;
        for (int i = 0; i < 5; i++) {
            simulated.append("value-" + i);
        }
        io.failAllOperations(true);
        AppendResult.Rejected rejected = assertInstanceOf(AppendResult.Rejected.class,
                simulated.log.appendAsLeader(simulated.batch("lost"), 0));
        assertEquals(ErrorCode.STORAGE_ERROR, rejected.error());
        assertTrue(rejected.message().contains("offline"), rejected.message());
        assertTrue(simulated.log.isOffline());
        assertEquals(ErrorCode.STORAGE_ERROR, simulated.log.read(0, 100, Long.MAX_VALUE, true).error());
        assertEquals(ErrorCode.STORAGE_ERROR, assertThrows(StorageException.class, () -> simulated.log.flush())
                .errorCode());
        io.clearFaults();
        assertEquals(ErrorCode.STORAGE_ERROR, simulated.log.read(0, 100, Long.MAX_VALUE, true).error(),
                "an offline log stays offline until it is reopened");
        simulated.abandonAndReopen();
        assertEquals(List.of("value-0", "value-1", "value-2", "value-3", "value-4"), simulated.values());
        simulated.close();
    }

    @Test
    void truncateToRemovesBatchesAtOrAboveTheOffsetAcrossSegments() throws IOException {
        fixture.with("segment.bytes", 150).open();
        for (int i = 0; i < 10; i++) {
            fixture.append("value-" + i);
        }
        assertTrue(log().numberOfSegments() > 2);
        assertTrue(log().truncateTo(4));
        assertEquals(4, log().logEndOffset());
        assertEquals(List.of("value-0", "value-1", "value-2", "value-3"), fixture.values());
        assertFalse(log().truncateTo(7));
        fixture.append("new");
        assertEquals(5, log().logEndOffset());
        fixture.closeAndReopen();
        assertEquals(List.of("value-0", "value-1", "value-2", "value-3", "new"), fixture.values());
    }

    @Test
    void truncateToAnOffsetInsideABatchRemovesTheWholeBatch() throws IOException {
        fixture.open();
        fixture.append("a", "b");
        fixture.append("c", "d", "e");
        log().truncateTo(3);
        assertEquals(2, log().logEndOffset());
    }

    @Test
    void truncateFullyRestartsAnEmptyLogAtTheGivenOffset() throws IOException {
        fixture.open();
        fixture.append("a", "b");
        log().truncateFullyAndStartAt(100);
        assertEquals(100, log().logStartOffset());
        assertEquals(100, log().logEndOffset());
        assertEquals(100, fixture.append("x").firstOffset());
        fixture.closeAndReopen();
        assertEquals(List.of("x"), fixture.values());
        assertEquals(100, log().logStartOffset());
    }

    @Test
    void deleteRecordsBeforeMovesTheLogStartAndDropsWholeSegmentsBelowIt() throws IOException {
        fixture.with("segment.bytes", 150).open();
        for (int i = 0; i < 10; i++) {
            fixture.append("value-" + i);
        }
        int segmentsBefore = log().numberOfSegments();
        assertTrue(log().deleteRecordsBefore(5));
        assertEquals(5, log().logStartOffset());
        assertTrue(log().numberOfSegments() < segmentsBefore);
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, log().read(4, 100, Long.MAX_VALUE, true).error());
        assertEquals("value-5", fixture.values().get(0));
        fixture.closeAndReopen();
        assertEquals(5, log().logStartOffset());
        StorageException beyond = assertThrows(StorageException.class, () -> log().deleteRecordsBefore(50));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, beyond.errorCode());
    }

    @Test
    void retentionDeletesWholeSegmentsOlderThanRetentionMsButNeverTheActiveOne() throws IOException {
        fixture.with("segment.bytes", 150).with("retention.ms", 10_000).open();
        for (int i = 0; i < 6; i++) {
            fixture.append("value-" + i);
        }
        fixture.clock.advance(5_000);
        for (int i = 6; i < 12; i++) {
            fixture.append("value-" + i);
        }
        assertEquals(0, log().deleteOldSegments());
        fixture.clock.advance(6_000);
        int deleted = log().deleteOldSegments();
        assertTrue(deleted > 0);
        assertTrue(log().logStartOffset() > 0 && log().logStartOffset() <= 6, "start " + log().logStartOffset());
        fixture.clock.advance(100_000);
        log().deleteOldSegments();
        assertEquals(1, log().numberOfSegments());
        assertEquals(log().segmentBaseOffsets().get(0), log().logStartOffset());
    }

    @Test
    void retentionBytesKeepsTheNewestSegmentsWithinTheLimit() throws IOException {
        fixture.with("segment.bytes", 150).with("retention.bytes", 300).open();
        for (int i = 0; i < 20; i++) {
            fixture.append("value-" + i);
        }
        log().deleteOldSegments();
        assertTrue(log().sizeInBytes() <= 300 + 150, "size " + log().sizeInBytes());
        assertEquals("value-19", fixture.values().get(fixture.values().size() - 1));
    }

    @Test
    void retentionNeverDeletesAtOrAboveTheHighWatermark() throws IOException {
        fixture.with("segment.bytes", 150).with("retention.ms", 1).open();
        for (int i = 0; i < 10; i++) {
            fixture.append("value-" + i);
        }
        log().updateHighWatermark(0);
        fixture.clock.advance(1_000);
        assertEquals(0, log().deleteOldSegments());
        log().updateHighWatermark(log().logEndOffset());
        assertTrue(log().deleteOldSegments() > 0);
    }

    @Test
    void findsTheFirstOffsetWithATimestampAtOrAfterTheTarget() throws IOException {
        fixture.with("segment.bytes", 200).with("index.interval.bytes", 1).open();
        for (int i = 0; i < 20; i++) {
            log().appendAsLeader(fixture.batch(1000L + i * 10, "value-" + i), 0);
        }
        assertEquals(Optional.of(new TimestampAndOffset(1000, 0)), log().offsetForTimestamp(0));
        assertEquals(Optional.of(new TimestampAndOffset(1050, 5)), log().offsetForTimestamp(1050));
        assertEquals(Optional.of(new TimestampAndOffset(1060, 6)), log().offsetForTimestamp(1051));
        assertEquals(Optional.empty(), log().offsetForTimestamp(5000));
    }

    @Test
    void answersOffsetForLeaderEpochAndKeepsItAcrossReopenAndTruncation() throws IOException {
        fixture.open();
        log().appendAsLeader(fixture.batch("a", "b"), 1);
        log().appendAsLeader(fixture.batch("c"), 1);
        log().appendAsLeader(fixture.batch("d", "e"), 3);
        assertEquals(new EpochEndOffset(1, 3), log().endOffsetForEpoch(1));
        assertEquals(new EpochEndOffset(1, 3), log().endOffsetForEpoch(2));
        assertEquals(new EpochEndOffset(3, 5), log().endOffsetForEpoch(3));
        // Below the earliest known epoch (Kafka's rule): the requested epoch ends where our history starts.
        assertEquals(new EpochEndOffset(0, 0), log().endOffsetForEpoch(0));
        assertTrue(log().endOffsetForEpoch(4).isUndefined(), "an epoch above the latest is unknown");
        fixture.closeAndReopen();
        assertEquals(new EpochEndOffset(1, 3), log().endOffsetForEpoch(2));
        log().truncateTo(3);
        assertEquals(1, log().latestEpoch().getAsInt());
        assertEquals(new EpochEndOffset(1, 3), log().endOffsetForEpoch(1));
    }

    @Test
    void aNewLeaderRecordsItsEpochBeforeWritingSoOlderEpochsGetAnEnd() throws IOException {
        fixture.open();
        log().appendAsLeader(fixture.batch("a", "b"), 1);
        assertTrue(log().endOffsetForEpoch(3).isUndefined(), "without the new leader's epoch: no answer for 3");
        log().assignLeaderEpoch(4);
        assertEquals(4, log().latestEpoch().getAsInt());
        assertEquals(new EpochEndOffset(1, 2), log().endOffsetForEpoch(3),
                "a follower that wrote epoch 3 as its leader learns that epoch 1 ended at 2 here");
        assertEquals(new EpochEndOffset(4, 2), log().endOffsetForEpoch(4));
        log().assignLeaderEpoch(2);
        assertEquals(4, log().latestEpoch().getAsInt(), "an older epoch changes nothing");
        fixture.closeAndReopen();
        assertEquals(1, log().latestEpoch().getAsInt(),
                "reopening forgets an epoch with nothing written: a leader records its epoch at every takeover");
        log().assignLeaderEpoch(4);
        log().appendAsLeader(fixture.batch("c"), 4);
        assertEquals(new EpochEndOffset(4, 3), log().endOffsetForEpoch(4));
        assertEquals(new EpochEndOffset(1, 2), log().endOffsetForEpoch(1));
    }

    @Test
    void followerAppendKeepsTheLeadersOffsetsAndEpochs() throws IOException {
        fixture.open();
        ByteBuffer batch = fixture.batch("a", "b");
        RecordBatch view = RecordBatch.wrap(batch);
        view.setBaseOffset(10);
        view.setPartitionLeaderEpoch(4);
        log().truncateFullyAndStartAt(10);
        AppendResult.Appended result = appended(log().appendAsFollower(batch));
        assertEquals(10, result.firstOffset());
        assertEquals(12, log().logEndOffset());
        assertEquals(4, log().latestEpoch().getAsInt());
        ByteBuffer stale = fixture.batch("c");
        RecordBatch.wrap(stale).setBaseOffset(11);
        AppendResult.Rejected rejected = assertInstanceOf(AppendResult.Rejected.class, log().appendAsFollower(stale));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, rejected.error());
    }

    @Test
    void flushMovesTheRecoveryPointAndFlushMessagesForcesIt() throws IOException {
        fixture.with("flush.messages", 3).open();
        fixture.append("a");
        assertEquals(0, log().recoveryPoint());
        fixture.append("b", "c");
        assertEquals(3, log().recoveryPoint());
        fixture.append("d");
        log().flush();
        assertEquals(4, log().recoveryPoint());
    }

    @Test
    void aRollLeavesTheFsyncOfTheOldSegmentToTheFlusher() throws IOException {
        LogFixture simulated = LogFixture.simulated(3).with("segment.bytes", 300).open();
        SimulatedFileIo io = (SimulatedFileIo) simulated.io;
        simulated.append("first-segment-" + "x".repeat(60));
        simulated.append("first-segment-" + "y".repeat(60));
        simulated.append("second-segment");
        assertEquals(2, simulated.log.numberOfSegments());
        assertEquals(0, simulated.log.recoveryPoint(), "the append path did not fsync the old segment");
        simulated.log.flushIfDue();
        assertEquals(2, simulated.log.recoveryPoint(), "the flusher fsynced everything before the active segment");
        io.crash(SimulatedFileIo.CrashMode.DROP_UNFLUSHED);
        simulated.abandonAndReopen();
        assertEquals(List.of("first-segment-" + "x".repeat(60), "first-segment-" + "y".repeat(60)),
                simulated.values());
        simulated.close();
    }

    @Test
    void flushMsFlushesWhenUnflushedDataIsOldEnough() throws IOException {
        fixture.with("flush.ms", 1000).open();
        fixture.append("a");
        log().flushIfDue();
        fixture.clock.advance(999);
        log().flushIfDue();
        assertEquals(0, log().recoveryPoint());
        fixture.clock.advance(1);
        log().flushIfDue();
        assertEquals(1, log().recoveryPoint());
    }

    @Test
    void recognisesADuplicateIdempotentBatchAndAnswersWithItsOriginalOffsets() throws IOException {
        fixture.open();
        appended(log().appendAsLeader(producerBatch(7, 0, 0, "a", "b"), 0));
        appended(log().appendAsLeader(producerBatch(7, 0, 2, "c"), 0));
        AppendResult.Duplicate duplicate = assertInstanceOf(AppendResult.Duplicate.class,
                log().appendAsLeader(producerBatch(7, 0, 0, "a", "b"), 0));
        assertEquals(0, duplicate.firstOffset());
        assertEquals(1, duplicate.lastOffset());
        assertEquals(3, log().logEndOffset());
        AppendResult.Rejected gap = assertInstanceOf(AppendResult.Rejected.class,
                log().appendAsLeader(producerBatch(7, 0, 9, "z"), 0));
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, gap.error());
        fixture.closeAndReopen();
        assertInstanceOf(AppendResult.Duplicate.class, log().appendAsLeader(producerBatch(7, 0, 2, "c"), 0));
        fixture.abandonAndReopen();
        assertInstanceOf(AppendResult.Duplicate.class, log().appendAsLeader(producerBatch(7, 0, 2, "c"), 0));
        appended(log().appendAsLeader(producerBatch(7, 0, 3, "d"), 0));
    }

    @Test
    void aReadOfAClosedLogFailsWithAStorageError() throws IOException {
        fixture.open();
        fixture.append("a");
        log().close();
        assertEquals(ErrorCode.STORAGE_ERROR, log().read(0, 100, Long.MAX_VALUE, true).error());
        assertEquals(ErrorCode.STORAGE_ERROR,
                assertInstanceOf(AppendResult.Rejected.class, log().appendAsLeader(fixture.batch("b"), 0)).error());
        fixture.open();
        assertEquals(List.of("a"), fixture.values());
    }

    private ByteBuffer producerBatch(long producerId, int epoch, int baseSequence, String... values) {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE)
                .producer(producerId, (short) epoch, baseSequence);
        for (String value : values) {
            builder.append(fixture.clock.milliseconds(), null, LogFixture.bytes(value));
        }
        return builder.build();
    }

    private static int count(Iterable<RecordBatch> batches) {
        int count = 0;
        for (RecordBatch ignored : batches) {
            count++;
        }
        return count;
    }
}
