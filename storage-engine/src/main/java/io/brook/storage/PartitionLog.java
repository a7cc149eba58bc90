package io.brook.storage;

import io.brook.api.records.RecordBatch;
import io.brook.api.records.TimestampType;
import io.brook.api.v1.ErrorCode;
import io.brook.common.Clock;
import io.brook.storage.internal.AppendValidation;
import io.brook.storage.internal.LeaderEpochCache;
import io.brook.storage.internal.LogSegment;
import io.brook.storage.internal.OffsetCheckpointFile;
import io.brook.storage.internal.ProducerStateManager;
import io.brook.storage.internal.SequenceCheck;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only log of one partition replica: a directory {@code <topic>-<partition>/} of
 * segments, a leader-epoch cache, producer state for idempotence, and checkpoints. It assigns
 * offsets, serves reads of whole stored batches, truncates for replication, applies retention and
 * flushes; after an unclean stop it recovers to the longest valid prefix. Layouts are in
 * {@code storage-engine/FORMAT.md}.
 *
 * <p><b>Thread-safety.</b> One writer per partition (the replication layer) appends and
 * truncates; background threads (retention, compaction, flush) also change the log, so every
 * change happens under one lock, held briefly (fsync for {@link #flush} runs outside it).
 * Readers never take the lock: they read a published end offset and segment sizes (volatile),
 * so they see only whole batches, and a sequence counter (even when stable, odd during a
 * structural change) makes a read that raced a truncation or segment deletion retry.
 *
 * <p><b>Lifecycle.</b> {@link #open} recovers; {@link #close} flushes everything, snapshots
 * producer state and writes a clean-shutdown marker so the next open can skip recovery. After an
 * I/O error (including a full disk) the log goes offline: every later operation fails with
 * {@link ErrorCode#STORAGE_ERROR}; what is on disk stays a valid prefix for the next open.
 *
 * <p><b>Invariants.</b> Offsets in the log strictly increase; the log start offset is at most the
 * log end offset; every published batch is whole and CRC-valid; the recovery point is at most the
 * log end offset and everything below it has been fsynced.
 */
public final class PartitionLog implements Closeable {
    static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
    static final String RECOVERY_POINT_FILE = "recovery-point-offset-checkpoint";
    static final String LOG_START_FILE = "log-start-offset-checkpoint";
    static final String LEADER_EPOCH_FILE = "leader-epoch-checkpoint";
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final TopicPartition topicPartition;
    private final Path directory;
    private final FileIo io;
    private final Clock clock;
    private final String logPrefix;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final LeaderEpochCache epochCache;
    private final ProducerStateManager producerState;

    private volatile LogConfig config;
    private volatile LogSegment activeSegment;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    /** Everything below has been fsynced. */
    private volatile long recoveryPoint;
    /** Retention and compaction never remove data at or above this (the replication high watermark). */
    private volatile long highWatermark = Long.MAX_VALUE;
    /** Even when the segment structure is stable, odd while the writer changes it (a seqlock). */
    private volatile long structureVersion;
    private volatile String offlineReason;
    private long lastFlushMs;
    private long lastCheckpointedRecoveryPoint = -1;
    /** Segment files were created since the directory was last fsynced. */
    private volatile boolean directoryChanged;
    /** A roll happened: the segments before the active one still need their fsync. */
    private volatile boolean rollFlushPending;
    /** When compaction next has tombstones to remove (LogCleaner's memory; MAX_VALUE: none known). */
    volatile long tombstoneDeadlineMs = Long.MAX_VALUE;

    private PartitionLog(TopicPartition topicPartition, Path directory, LogConfig config, FileIo io, Clock clock,
                         LeaderEpochCache epochCache, ProducerStateManager producerState) {
        this.topicPartition = topicPartition;
        this.directory = directory;
        this.config = config;
        this.io = io;
        this.clock = clock;
        this.epochCache = epochCache;
        this.producerState = producerState;
        this.logPrefix = "[Log partition=" + topicPartition + " dir=" + directory.getParent() + "] ";
        this.lastFlushMs = clock.milliseconds();
    }

    /**
     * Opens (creating if needed) the log of {@code topicPartition} in {@code directory}, which is
     * named {@code <topic>-<partition>}. After an unclean stop, recovers: every batch past the
     * recovery point is validated (length, CRC-32C, increasing offsets) and the log is cut at the
     * first invalid one, indexes are rebuilt, and leader epochs and producer state are restored.
     *
     * @throws IOException when the directory cannot be read or recovered
     */
    public static PartitionLog open(Path directory, LogConfig config, FileIo io, Clock clock) throws IOException {
        TopicPartition topicPartition = TopicPartition.fromDirectoryName(directory.getFileName().toString());
        if (!io.isDirectory(directory)) {
            io.createDirectories(directory);
            io.syncDirectory(directory.getParent());
        }
        LeaderEpochCache epochCache = LeaderEpochCache.load(io, directory.resolve(LEADER_EPOCH_FILE));
        ProducerStateManager producerState = new ProducerStateManager(io, directory);
        PartitionLog log = new PartitionLog(topicPartition, directory, config, io, clock, epochCache, producerState);
        try {
            log.load();
        } catch (IOException | RuntimeException e) {
            log.closeSegmentsQuietly();
            throw e;
        }
        return log;
    }

    // ---------------------------------------------------------------------------------------
    // Loading and recovery

    private void load() throws IOException {
        boolean cleanShutdown = io.exists(directory.resolve(CLEAN_SHUTDOWN_FILE));
        LogCleaner.finishInterruptedSwaps(io, directory, logPrefix);
        TreeMap<Long, Path> logFiles = new TreeMap<>();
        for (Path file : io.list(directory)) {
            String name = file.getFileName().toString();
            if (name.endsWith(".tmp")) {
                io.deleteIfExists(file);
            } else if (isSegmentFile(name, LogSegment.LOG_SUFFIX)) {
                logFiles.put(baseOffsetOf(name), file);
            }
        }
        for (Path file : io.list(directory)) {
            String name = file.getFileName().toString();
            boolean index = isSegmentFile(name, LogSegment.INDEX_SUFFIX)
                    || isSegmentFile(name, LogSegment.TIME_INDEX_SUFFIX);
            if (index && !logFiles.containsKey(baseOffsetOf(name))) {
                io.deleteIfExists(file); // an index without its log: left by an interrupted deletion
            }
        }
        long checkpointedStart = OffsetCheckpointFile.read(io, directory.resolve(LOG_START_FILE)).orElse(0L);
        long checkpointedRecoveryPoint = OffsetCheckpointFile.read(io, directory.resolve(RECOVERY_POINT_FILE))
                .orElse(0L);
        LogConfig config = this.config;
        long now = clock.milliseconds();

        if (logFiles.isEmpty()) {
            LogSegment segment = LogSegment.create(io, directory, checkpointedStart, "",
                    config.segmentIndexBytes(), config.indexIntervalBytes(), now);
            segments.put(checkpointedStart, segment);
        }
        boolean recovering = false;
        boolean epochsTruncatedForRecovery = false;
        List<LogSegment> recovered = new ArrayList<>();
        List<Map.Entry<Long, Path>> files = new ArrayList<>(logFiles.entrySet());
        for (int i = 0; i < files.size(); i++) {
            long base = files.get(i).getKey();
            boolean last = i == files.size() - 1;
            long nextBase = last ? Long.MAX_VALUE : files.get(i + 1).getKey();
            recovering |= !cleanShutdown && nextBase > checkpointedRecoveryPoint;
            LogSegment segment = LogSegment.open(io, directory, base, config.segmentIndexBytes(),
                    config.indexIntervalBytes(), last || recovering, now);
            segments.put(base, segment);
            if (!recovering) {
                String problem;
                try {
                    segment.loadTailState();
                    problem = segment.indexesAreSane() ? null : "its indexes do not match the log";
                } catch (IOException e) {
                    problem = e.getMessage();
                }
                if (problem == null) {
                    continue;
                }
                LOG.warn("{}Recovering segment {} although it was flushed: {}", logPrefix, base, problem);
            }
            if (!epochsTruncatedForRecovery) {
                // The batches replayed from here on rebuild their epochs' entries (as Kafka does):
                // entries the checkpoint holds from here on would only meet their own batches again.
                epochCache.truncateFromEnd(base);
                epochsTruncatedForRecovery = true;
            }
            LogSegment.RecoveryResult result = segment.recover(config.segmentIndexBytes(), batch -> {
                if (batch.partitionLeaderEpoch() >= 0) {
                    epochCache.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
                }
            });
            recovered.add(segment);
            if (result.truncatedBytes() > 0) {
                int later = files.size() - 1 - i;
                LOG.warn("{}Recovery truncated segment {} to {} bytes, dropping {} invalid bytes ({}){}", logPrefix,
                        base, result.validBytes(), result.truncatedBytes(), result.stopReason(),
                        later > 0 ? "; deleting the " + later + " later segment(s), which cannot follow a gap" : "");
                for (int j = i + 1; j < files.size(); j++) {
                    deleteSegmentFiles(files.get(j).getKey());
                }
                break;
            }
            if (!last) {
                segment.onBecomeInactive();
            }
        }
        activeSegment = segments.lastEntry().getValue();
        activeSegment.onBecomeActive(config.segmentIndexBytes());
        logEndOffset = activeSegment.nextOffset();
        long firstBase = segments.firstKey();
        logStartOffset = Math.max(checkpointedStart, firstBase);
        if (logStartOffset > logEndOffset) {
            // The checkpointed start is past everything on disk (deleted records, then the log was
            // truncated on another replica's say): restart the log empty at the start offset.
            LOG.warn("{}Log start offset {} is beyond the log end offset {}: starting an empty log there",
                    logPrefix, logStartOffset, logEndOffset);
            replaceAllSegmentsWithEmptyAt(logStartOffset);
        }
        epochCache.truncateFromEnd(logEndOffset);
        epochCache.truncateFromStart(logStartOffset);
        rebuildProducerState();
        for (LogSegment segment : recovered) {
            if (segments.get(segment.baseOffset()) == segment) {
                segment.flush(); // what recovery validated becomes the new recovery point
            }
        }
        recoveryPoint = logEndOffset;
        checkpointRecoveryPoint();
        OffsetCheckpointFile.write(io, directory.resolve(LOG_START_FILE), logStartOffset);
        if (cleanShutdown) {
            io.deleteIfExists(directory.resolve(CLEAN_SHUTDOWN_FILE));
        }
        io.syncDirectory(directory); // the marker's removal and any file recovery created or deleted
        LOG.info("{}Loaded {} segment(s) after a{} shutdown: log start offset {}, log end offset {}{}", logPrefix,
                segments.size(), cleanShutdown ? " clean" : "n unclean", logStartOffset, logEndOffset,
                recovered.isEmpty() ? "" : ", recovered " + recovered.size() + " segment(s)");
    }

    private static boolean isSegmentFile(String name, String suffix) {
        return name.length() == 20 + suffix.length() && name.endsWith(suffix)
                && name.substring(0, 20).chars().allMatch(Character::isDigit);
    }

    private static long baseOffsetOf(String name) {
        return Long.parseLong(name.substring(0, 20));
    }

    private void deleteSegmentFiles(long baseOffset) throws IOException {
        LogSegment open = segments.remove(baseOffset);
        if (open != null) {
            open.deleteFiles();
            return;
        }
        io.deleteIfExists(LogSegment.logFile(directory, baseOffset, ""));
        io.deleteIfExists(directory.resolve(LogSegment.fileName(baseOffset, LogSegment.INDEX_SUFFIX)));
        io.deleteIfExists(directory.resolve(LogSegment.fileName(baseOffset, LogSegment.TIME_INDEX_SUFFIX)));
    }

    /**
     * Loads the latest producer-state snapshot at or below the log end offset and replays the
     * batches after it, so idempotence survives restarts and truncation.
     */
    private void rebuildProducerState() throws IOException {
        long replayFrom = producerState.truncateAndReload(logStartOffset, logEndOffset);
        if (replayFrom < logEndOffset) {
            Map.Entry<Long, LogSegment> floor = segments.floorEntry(replayFrom);
            Map<Long, LogSegment> tail = floor == null ? segments : segments.tailMap(floor.getKey(), true);
            for (LogSegment segment : tail.values()) {
                long at = Math.max(replayFrom, segment.baseOffset());
                while (at < segment.nextOffset()) {
                    LogSegment.Slice slice = segment.read(at, 1 << 20, Long.MAX_VALUE, true);
                    if (slice == null || !slice.batches().hasRemaining()) {
                        break;
                    }
                    for (RecordBatch batch : RecordBatch.batches(slice.batches())) {
                        if (batch.lastOffset() >= replayFrom && batch.hasProducerId()) {
                            producerState.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                                    batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp());
                        }
                        at = batch.nextOffset();
                    }
                }
            }
        }
        producerState.updateMapEndOffset(logEndOffset);
    }

    // ---------------------------------------------------------------------------------------
    // Appends

    /**
     * Appends batches produced by a client, as the partition leader in {@code leaderEpoch}:
     * validates them (envelope, CRC-32C, every record, {@code max.message.bytes}, keys on
     * compacted topics, producer sequences), assigns offsets from the log end offset, stamps the
     * leader epoch (and the append time under {@code LogAppendTime}), and writes them. The
     * buffer's bytes are modified in place and must not be reused by the caller.
     *
     * <p>Nothing is written unless every batch is valid.
     */
    public AppendResult appendAsLeader(ByteBuffer records, int leaderEpoch) {
        LogConfig config = this.config;
        List<RecordBatch> batches = new ArrayList<>();
        AppendValidation.Rejection invalid = AppendValidation.fromClient(records, config, batches);
        if (invalid != null) {
            return rejected(invalid.error(), invalid.message());
        }
        long flushUpTo = -1;
        AppendResult result;
        lock.lock();
        try {
            AppendResult.Rejected offline = rejectIfOffline();
            if (offline != null) {
                return offline;
            }
            RecordBatch single = batches.size() == 1 ? batches.get(0) : null;
            if (single != null && single.hasProducerId()) {
                SequenceCheck check = producerState.check(single.producerId(), single.producerEpoch(),
                        single.baseSequence(), single.lastSequence());
                if (check instanceof SequenceCheck.Duplicate duplicate) {
                    return new AppendResult.Duplicate(duplicate.firstOffset(), duplicate.lastOffset(),
                            duplicate.maxTimestamp());
                }
                if (check instanceof SequenceCheck.Rejected rejected) {
                    return new AppendResult.Rejected(rejected.error(), topicPartition + ": " + rejected.message());
                }
            }
            long now = clock.milliseconds();
            long appendTime = config.timestampType() == TimestampType.LOG_APPEND_TIME ? now : -1L;
            long firstOffset = logEndOffset;
            long next = firstOffset;
            int recordCount = 0;
            for (RecordBatch batch : batches) {
                batch.setBaseOffset(next);
                batch.setPartitionLeaderEpoch(leaderEpoch);
                if (appendTime >= 0) {
                    batch.setLogAppendTime(appendTime);
                }
                next = batch.nextOffset();
                recordCount += batch.recordCount();
            }
            write(batches, records, firstOffset, config, now);
            result = new AppendResult.Appended(firstOffset, next - 1, appendTime, recordCount, logStartOffset);
            if (logEndOffset - recoveryPoint >= config.flushMessages()) {
                flushUpTo = logEndOffset;
            }
        } catch (IOException e) {
            return new AppendResult.Rejected(ErrorCode.STORAGE_ERROR, markOffline("append failed", e));
        } finally {
            lock.unlock();
        }
        if (flushUpTo >= 0) {
            try {
                flush(flushUpTo);
            } catch (StorageException e) {
                // The batches are written (and readable); only the forced fsync failed. The log is
                // offline now, and a producer waiting for durability hears it from the next call.
                LOG.error("{}flush.messages fsync failed after an append: {}", logPrefix, e.getMessage());
            }
        }
        return result;
    }

    /**
     * Appends batches fetched from the partition leader, keeping their offsets and leader epochs
     * (the leader assigned them). Checks the envelope and CRC of every batch and that offsets
     * increase from the log end offset; gaps are allowed (the leader's log may be compacted).
     */
    public AppendResult appendAsFollower(ByteBuffer records) {
        List<RecordBatch> batches = new ArrayList<>();
        AppendValidation.Rejection invalid = AppendValidation.wholeValidBatches(records, batches);
        if (invalid != null) {
            return rejected(invalid.error(), invalid.message());
        }
        lock.lock();
        try {
            AppendResult.Rejected offline = rejectIfOffline();
            if (offline != null) {
                return offline;
            }
            long expected = logEndOffset;
            int recordCount = 0;
            for (RecordBatch batch : batches) {
                if (batch.baseOffset() < expected) {
                    return new AppendResult.Rejected(ErrorCode.OFFSET_OUT_OF_RANGE, topicPartition
                            + ": follower append at offset " + batch.baseOffset() + " is below the next offset "
                            + expected + "; the follower must truncate before fetching again");
                }
                expected = batch.nextOffset();
                recordCount += batch.recordCount();
            }
            long firstOffset = batches.get(0).baseOffset();
            write(batches, records, firstOffset, config, clock.milliseconds());
            return new AppendResult.Appended(firstOffset, expected - 1, -1L, recordCount, logStartOffset);
        } catch (IOException e) {
            return new AppendResult.Rejected(ErrorCode.STORAGE_ERROR, markOffline("follower append failed", e));
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: rolls if needed, writes, updates epochs and producer state, publishes. */
    private void write(List<RecordBatch> batches, ByteBuffer records, long firstOffset, LogConfig config, long now)
            throws IOException {
        long maxTimestamp = -1L;
        long offsetOfMaxTimestamp = -1L;
        long lastOffset = firstOffset;
        for (RecordBatch batch : batches) {
            if (batch.maxTimestamp() > maxTimestamp) {
                maxTimestamp = batch.maxTimestamp();
                offsetOfMaxTimestamp = batch.lastOffset();
            }
            lastOffset = batch.lastOffset();
        }
        LogSegment segment = activeSegment;
        if (segment.shouldRoll(config.segmentBytes(), config.segmentMs(), records.remaining(), lastOffset,
                maxTimestamp, now)
                || firstOffset - segment.baseOffset() > Integer.MAX_VALUE) {
            segment = roll(firstOffset, config, now);
        }
        // Epochs first: every I/O that can fail happens before the data is written, so a failed
        // append never leaves a whole batch behind that the caller was told had failed. An epoch
        // entry without data after it is harmless (it ends where the log ends).
        for (RecordBatch batch : batches) {
            int epoch = batch.partitionLeaderEpoch();
            OptionalInt latest = epochCache.latestEpoch();
            if (epoch >= 0 && (latest.isEmpty() || epoch > latest.getAsInt())) {
                epochCache.assign(epoch, batch.baseOffset());
            }
        }
        ByteBuffer bytes = records.duplicate();
        try {
            segment.append(bytes, firstOffset, lastOffset, maxTimestamp, offsetOfMaxTimestamp);
        } catch (IOException e) {
            // Cut any partial write so the file ends at the last published batch (best effort: the
            // disk may refuse this too; recovery truncates a torn tail anyway).
            try {
                segment.file().truncate(segment.size());
            } catch (IOException ignored) {
                // Recovery will do it.
            }
            throw e;
        }
        for (RecordBatch batch : batches) {
            if (batch.hasProducerId()) {
                producerState.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                        batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp());
            }
        }
        producerState.updateMapEndOffset(lastOffset + 1);
        logEndOffset = lastOffset + 1; // publish
    }

    /**
     * Under the lock: makes a new active segment at {@code baseOffset}, trims the old one's
     * indexes and snapshots producer state. The old segment is fsynced soon after by the log
     * manager's flusher ({@link #flushIfDue}), as Kafka schedules it right after a roll, so that
     * recovery after a crash only has to scan the active segment, without the writer waiting
     * for that fsync.
     */
    private LogSegment roll(long baseOffset, LogConfig config, long now) throws IOException {
        LogSegment old = activeSegment;
        if (segments.containsKey(baseOffset)) {
            throw new IllegalStateException(logPrefix + "cannot roll to " + baseOffset + ": a segment exists there");
        }
        old.onBecomeInactive();
        producerState.takeSnapshotWithoutSync();
        LogSegment segment = LogSegment.create(io, directory, baseOffset, "", config.segmentIndexBytes(),
                config.indexIntervalBytes(), now);
        segments.put(baseOffset, segment);
        activeSegment = segment;
        directoryChanged = true;
        rollFlushPending = true; // the flusher fsyncs the old segment soon, off the append path
        LOG.info("{}Rolled new segment at offset {} ({} bytes in the previous one)", logPrefix, baseOffset,
                old.size());
        return segment;
    }

    private AppendResult.Rejected rejected(ErrorCode code, String message) {
        return new AppendResult.Rejected(code, topicPartition + ": " + message);
    }

    private AppendResult.Rejected rejectIfOffline() {
        String reason = offlineReason;
        return reason == null ? null : new AppendResult.Rejected(ErrorCode.STORAGE_ERROR, reason);
    }

    /** Takes the log offline after an I/O error; returns the message for the caller. */
    private String markOffline(String what, IOException e) {
        String reason = topicPartition + ": " + what + " in " + directory + " (" + e + "); the log is offline "
                + "on this broker until it is restarted with a working disk";
        if (offlineReason == null) {
            offlineReason = reason;
            LOG.error("{}{}; the log is now offline", logPrefix, what, e);
        }
        return reason;
    }

    // ---------------------------------------------------------------------------------------
    // Reads

    /**
     * Reads whole stored batches from the one holding {@code startOffset}, up to about
     * {@code maxBytes} (at least one whole batch when {@code minOneBatch}, so a consumer always
     * makes progress), and only batches that end below {@code maxOffsetExclusive} (a consumer
     * passes the high watermark; a follower the log end offset or {@link Long#MAX_VALUE}).
     * Never blocks the writer.
     */
    public ReadResult read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        while (true) {
            long version = structureVersion;
            if ((version & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long start = logStartOffset;
            long end = logEndOffset;
            if (offlineReason != null) {
                return ReadResult.error(ErrorCode.STORAGE_ERROR, offlineReason, start, end);
            }
            if (startOffset < start || startOffset > end) {
                return ReadResult.error(ErrorCode.OFFSET_OUT_OF_RANGE, topicPartition + ": offset " + startOffset
                        + " is outside the log [" + start + ", " + end + "]", start, end);
            }
            ByteBuffer found = ByteBuffer.allocate(0);
            try {
                long limit = Math.min(maxOffsetExclusive, end);
                if (startOffset < limit) {
                    Map.Entry<Long, LogSegment> entry = segments.floorEntry(startOffset);
                    while (entry != null) {
                        LogSegment.Slice slice = entry.getValue().read(startOffset, maxBytes, limit, minOneBatch);
                        if (slice != null) {
                            found = slice.batches();
                            break;
                        }
                        entry = segments.higherEntry(entry.getKey());
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (structureVersion != version) {
                    continue; // raced a truncation or deletion: read again
                }
                if (e instanceof IOException io) {
                    return ReadResult.error(ErrorCode.STORAGE_ERROR, markOffline("read failed", io), start, end);
                }
                throw (RuntimeException) e;
            }
            if (structureVersion != version) {
                continue;
            }
            return ReadResult.of(found.asReadOnlyBuffer(), start, end);
        }
    }

    /**
     * The first record at or after the log start offset whose timestamp is at or after
     * {@code timestamp} (Kafka's ListOffsets by time); empty when every record is older.
     */
    public Optional<TimestampAndOffset> offsetForTimestamp(long timestamp) {
        while (true) {
            long version = structureVersion;
            if ((version & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long start = logStartOffset;
            Optional<TimestampAndOffset> answer = Optional.empty();
            try {
                for (LogSegment segment : segments.values()) {
                    if (segment.nextOffset() <= start) {
                        continue;
                    }
                    LogSegment.TimestampOffset found = segment.findOffsetByTimestamp(timestamp, start);
                    if (found != null) {
                        answer = Optional.of(new TimestampAndOffset(found.timestamp(), found.offset()));
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (structureVersion != version) {
                    continue;
                }
                if (e instanceof IOException io) {
                    throw new StorageException(ErrorCode.STORAGE_ERROR, markOffline("timestamp lookup failed", io), io);
                }
                throw (RuntimeException) e;
            }
            if (structureVersion == version) {
                return answer;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Leader epochs

    /** OffsetForLeaderEpoch: where {@code leaderEpoch} (or the largest epoch below it) ended in this log. */
    public EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
        return epochCache.endOffsetFor(leaderEpoch, logEndOffset);
    }

    /** The latest leader epoch this log has batches from (or was assigned), if any. */
    public OptionalInt latestEpoch() {
        return epochCache.latestEpoch();
    }

    /**
     * Records that {@code leaderEpoch} starts at the current log end offset, before any batch of
     * it is written: what a replica does when it becomes the leader of that epoch (Kafka's
     * {@code assign(epoch, LEO)}), so that a follower asking where an epoch the new leader never
     * wrote ends (OffsetForLeaderEpoch) gets an answer: it ends where this epoch starts. An epoch
     * at or below the latest one changes nothing. Reopening the log forgets an epoch with nothing
     * written (recovery keeps only epochs that start below the log end), so a leader records its
     * epoch at every takeover.
     *
     * @throws StorageException on an I/O error (the log goes offline)
     */
    public void assignLeaderEpoch(int leaderEpoch) {
        if (leaderEpoch < 0) {
            throw new IllegalArgumentException("leader epoch must be >= 0: " + leaderEpoch);
        }
        lock.lock();
        try {
            throwIfOffline();
            OptionalInt latest = epochCache.latestEpoch();
            if (latest.isEmpty() || leaderEpoch > latest.getAsInt()) {
                epochCache.assign(leaderEpoch, logEndOffset);
            }
        } catch (IOException e) {
            throw new StorageException(ErrorCode.STORAGE_ERROR, markOffline("recording a leader epoch failed", e), e);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Truncation and log start

    /**
     * Removes every batch whose last offset is at or above {@code offset} (a batch holding
     * {@code offset} goes whole, so the new log end offset may be below {@code offset}). Used by
     * a follower that learned where its leader's log diverges. Returns whether anything was removed.
     * At the log end nothing is removed, but a leader epoch recorded there with nothing written
     * ({@link #assignLeaderEpoch} by a leadership that wrote nothing) is dropped, so that the
     * follower's next epoch question is about the epoch of its last batch.
     *
     * @throws StorageException on an I/O error (the log goes offline)
     */
    public boolean truncateTo(long offset) {
        lock.lock();
        try {
            throwIfOffline();
            if (offset >= logEndOffset) {
                if (offset == logEndOffset) {
                    // Nothing to remove, but an epoch recorded at the log end with nothing written
                    // (a leadership that wrote nothing) goes: the log's history ends here.
                    epochCache.truncateFromEnd(offset);
                }
                return false;
            }
            if (offset < logStartOffset) {
                truncateFullyAndStartAt(offset);
                return true;
            }
            long previousEnd = logEndOffset;
            List<LogSegment> removed = new ArrayList<>();
            beginStructureChange();
            try {
                for (LogSegment segment : new ArrayList<>(segments.tailMap(offset, false).values())) {
                    segments.remove(segment.baseOffset());
                    removed.add(segment);
                }
                LogSegment last = segments.lastEntry().getValue();
                last.truncateTo(offset);
                if (last != activeSegment) {
                    last.onBecomeActive(config.segmentIndexBytes());
                    activeSegment = last;
                }
                logEndOffset = last.nextOffset();
            } finally {
                endStructureChange();
            }
            for (LogSegment segment : removed) {
                segment.deleteFiles();
            }
            if (logEndOffset < logStartOffset) {
                // The batch holding the offset began below the log start (DeleteRecords moved the
                // start into it): what is left below the start is not readable anyway.
                replaceAllSegmentsWithEmptyAt(logStartOffset);
            }
            epochCache.truncateFromEnd(logEndOffset);
            rebuildProducerState();
            LogCleaner.onTruncation(io, directory, logEndOffset);
            recoveryPoint = Math.min(recoveryPoint, logEndOffset);
            LOG.info("{}Truncated to offset {}: log end offset {} -> {}", logPrefix, offset, previousEnd, logEndOffset);
            return true;
        } catch (IOException e) {
            throw new StorageException(ErrorCode.STORAGE_ERROR, markOffline("truncation failed", e), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes everything and restarts the log, empty, at {@code offset} (a follower far behind
     * a leader whose log starts later).
     *
     * @throws StorageException on an I/O error (the log goes offline)
     */
    public void truncateFullyAndStartAt(long offset) {
        lock.lock();
        try {
            throwIfOffline();
            replaceAllSegmentsWithEmptyAt(offset);
            LogCleaner.onTruncation(io, directory, offset);
            epochCache.clear();
            producerState.deleteSnapshotsBefore(Long.MAX_VALUE);
            rebuildProducerState();
            recoveryPoint = offset;
            checkpointRecoveryPoint();
            OffsetCheckpointFile.write(io, directory.resolve(LOG_START_FILE), offset);
            LOG.info("{}Truncated fully; the log restarts empty at offset {}", logPrefix, offset);
        } catch (IOException e) {
            throw new StorageException(ErrorCode.STORAGE_ERROR, markOffline("full truncation failed", e), e);
        } finally {
            lock.unlock();
        }
    }

    private void replaceAllSegmentsWithEmptyAt(long offset) throws IOException {
        List<LogSegment> removed = new ArrayList<>(segments.values());
        LogConfig config = this.config;
        beginStructureChange();
        try {
            segments.clear();
            LogSegment colliding = null;
            for (LogSegment segment : removed) {
                if (segment.baseOffset() == offset) {
                    colliding = segment; // its files have the new segment's names: delete them first
                    segment.deleteFiles();
                }
            }
            removed.remove(colliding);
            LogSegment fresh = LogSegment.create(io, directory, offset, "", config.segmentIndexBytes(),
                    config.indexIntervalBytes(), clock.milliseconds());
            segments.put(offset, fresh);
            activeSegment = fresh;
            logStartOffset = offset;
            logEndOffset = offset;
        } finally {
            endStructureChange();
        }
        // Outside the structure change, so readers do not wait for file deletions.
        for (LogSegment segment : removed) {
            segment.deleteFiles();
        }
        io.syncDirectory(directory);
    }

    /**
     * Moves the log start offset up to {@code offset} (DeleteRecords, or a leader's log start seen
     * by a follower): records below it are no longer readable and whole segments below it are
     * deleted. Returns whether the start moved.
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE when {@code offset} is beyond the log end
     *     offset; STORAGE_ERROR on an I/O error
     */
    public boolean deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            throwIfOffline();
            if (offset > logEndOffset) {
                throw new StorageException(ErrorCode.OFFSET_OUT_OF_RANGE, topicPartition + ": cannot delete records "
                        + "before " + offset + ", beyond the log end offset " + logEndOffset, null);
            }
            if (offset <= logStartOffset) {
                return false;
            }
            logStartOffset = offset;
            OffsetCheckpointFile.write(io, directory.resolve(LOG_START_FILE), offset);
            epochCache.truncateFromStart(offset);
            deleteSegmentsBelowLogStart();
            return true;
        } catch (IOException e) {
            throw new StorageException(ErrorCode.STORAGE_ERROR, markOffline("moving the log start failed", e), e);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: deletes the non-active segments that end at or below the log start offset. */
    private int deleteSegmentsBelowLogStart() throws IOException {
        List<LogSegment> doomed = new ArrayList<>();
        for (LogSegment segment : segments.values()) {
            Long next = segments.higherKey(segment.baseOffset());
            if (segment == activeSegment || next == null || next > logStartOffset) {
                break;
            }
            doomed.add(segment);
        }
        deleteSegments(doomed, "below the log start offset");
        return doomed.size();
    }

    /**
     * Under the lock: removes a prefix of non-active segments, moving the log start offset to
     * the first remaining segment if needed, then deletes their files.
     */
    private void deleteSegments(List<LogSegment> doomed, String why) throws IOException {
        if (doomed.isEmpty()) {
            return;
        }
        beginStructureChange();
        try {
            for (LogSegment segment : doomed) {
                segments.remove(segment.baseOffset());
            }
            logStartOffset = Math.max(logStartOffset, segments.firstKey());
        } finally {
            endStructureChange();
        }
        OffsetCheckpointFile.write(io, directory.resolve(LOG_START_FILE), logStartOffset);
        epochCache.truncateFromStart(logStartOffset);
        long bytes = 0;
        for (LogSegment segment : doomed) {
            bytes += segment.size();
            segment.deleteFiles();
        }
        producerState.deleteSnapshotsBefore(segments.firstKey());
        io.syncDirectory(directory);
        LOG.info("{}Deleted {} segment(s) ({} bytes) {}; log start offset is now {}", logPrefix, doomed.size(),
                bytes, why, logStartOffset);
    }

    // ---------------------------------------------------------------------------------------
    // Retention

    /**
     * Applies {@code retention.ms} and {@code retention.bytes} (when the cleanup policy includes
     * delete) and drops segments below the log start offset: whole non-active segments, oldest
     * first, never at or above the high watermark. Returns the number of segments deleted.
     *
     * @throws StorageException on an I/O error (the log goes offline)
     */
    public int deleteOldSegments() {
        lock.lock();
        try {
            if (offlineReason != null) {
                return 0;
            }
            int deleted = deleteSegmentsBelowLogStart();
            LogConfig config = this.config;
            if (!config.delete()) {
                return deleted;
            }
            long now = clock.milliseconds();
            long bound = Math.min(highWatermark, logEndOffset);
            List<LogSegment> candidates = new ArrayList<>();
            for (LogSegment segment : segments.values()) {
                Long next = segments.higherKey(segment.baseOffset());
                if (segment == activeSegment || next == null || next > bound) {
                    break;
                }
                candidates.add(segment);
            }
            List<LogSegment> expired = new ArrayList<>();
            if (config.retentionMs() >= 0) {
                for (LogSegment segment : candidates) {
                    long largest = segment.largestTimestamp();
                    if (largest < 0 || now - largest <= config.retentionMs()) {
                        break;
                    }
                    expired.add(segment);
                }
            }
            if (expired.size() < candidates.size() && config.retentionBytes() >= 0) {
                long excess = sizeInBytes() - config.retentionBytes();
                for (LogSegment segment : expired) {
                    excess -= segment.size();
                }
                for (LogSegment segment : candidates.subList(expired.size(), candidates.size())) {
                    if (excess - segment.size() < 0) {
                        break;
                    }
                    excess -= segment.size();
                    expired.add(segment);
                }
            }
            deleteSegments(expired, "by retention (retention.ms=" + config.retentionMs() + ", retention.bytes="
                    + config.retentionBytes() + ")");
            return deleted + expired.size();
        } catch (IOException e) {
            throw new StorageException(ErrorCode.STORAGE_ERROR, markOffline("retention failed", e), e);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Flush

    /**
     * Makes every batch below {@code offset} durable (fsync) and moves the recovery point there.
     * Cheap when already flushed; concurrent callers may share one fsync's effect. The fsync runs
     * outside the log lock, so appends continue meanwhile. This is what {@code acks=all}
     * durability builds on.
     *
     * @throws StorageException on an I/O error (the log goes offline)
     */
    public void flush(long offset) {
        List<LogSegment> toFlush = new ArrayList<>();
        long target;
        long version;
        LogSegment active;
        boolean syncDirectory;
        lock.lock();
        try {
            throwIfOffline();
            target = Math.min(offset, logEndOffset);
            if (target <= recoveryPoint) {
                return;
            }
            Long from = segments.floorKey(recoveryPoint);
            for (LogSegment segment : segments.tailMap(from == null ? segments.firstKey() : from, true).values()) {
                if (segment.baseOffset() >= target) {
                    break;
                }
                toFlush.add(segment);
            }
            version = structureVersion;
            active = activeSegment;
            syncDirectory = directoryChanged;
            directoryChanged = false;
        } finally {
            lock.unlock();
        }
        try {
            for (LogSegment segment : toFlush) {
                if (segment == active) {
                    segment.flushData(); // its indexes are rebuilt by recovery; no msync needed
                } else {
                    segment.flush();
                }
            }
            if (syncDirectory) {
                io.syncDirectory(directory); // a new segment's name, or its data could vanish with it
            }
        } catch (IOException e) {
            if (structureVersion == version) {
                throw new StorageException(ErrorCode.STORAGE_ERROR, markOffline("fsync failed", e), e);
            }
            return; // a segment went away under us (truncation, retention): nothing left to flush there
        }
        lock.lock();
        try {
            long flushed = target;
            if (toFlush.contains(active) && active != activeSegment) {
                // A roll happened meanwhile: that segment's indexes were not synced with its data,
                // so recovery must still rebuild them; the flusher's pass after the roll syncs them.
                flushed = Math.min(target, active.baseOffset());
            }
            if (structureVersion == version && flushed > recoveryPoint && flushed <= logEndOffset) {
                recoveryPoint = flushed;
            }
            lastFlushMs = clock.milliseconds();
        } finally {
            lock.unlock();
        }
    }

    /** Flushes everything appended so far. */
    public void flush() {
        flush(logEndOffset);
    }

    /**
     * For the log manager's flusher: fsyncs the segments before the active one after a roll, and
     * everything when unflushed data is older than {@code flush.ms}.
     */
    public void flushIfDue() {
        LogConfig config = this.config;
        long now = clock.milliseconds();
        long upTo = -1;
        lock.lock();
        try {
            if (offlineReason != null) {
                return;
            }
            if (logEndOffset > recoveryPoint && now - lastFlushMs >= config.flushMs()) {
                upTo = logEndOffset;
            } else if (rollFlushPending) {
                upTo = activeSegment.baseOffset();
            }
            rollFlushPending = false;
        } finally {
            lock.unlock();
        }
        if (upTo >= 0) {
            flush(upTo);
        }
    }

    /** Writes the recovery point to its checkpoint file if it moved; for the log manager. */
    public void checkpointRecoveryPoint() {
        lock.lock();
        try {
            long point = recoveryPoint;
            if (point == lastCheckpointedRecoveryPoint || offlineReason != null) {
                return;
            }
            OffsetCheckpointFile.write(io, directory.resolve(RECOVERY_POINT_FILE), point);
            lastCheckpointedRecoveryPoint = point;
        } catch (IOException e) {
            throw new StorageException(ErrorCode.STORAGE_ERROR, markOffline("checkpointing the recovery point failed",
                    e), e);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Structure changes (seqlock for lock-free readers)

    private void beginStructureChange() {
        structureVersion = structureVersion + 1; // odd: readers wait or retry
    }

    private void endStructureChange() {
        structureVersion = structureVersion + 1; // even again
    }

    // ---------------------------------------------------------------------------------------
    // Accessors

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Path directory() {
        return directory;
    }

    public LogConfig config() {
        return config;
    }

    /** Applies a new config from the next append, roll, retention or cleaning pass on. */
    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    /** The offset the next appended record gets. */
    public long logEndOffset() {
        return logEndOffset;
    }

    /** Everything below this offset has been fsynced. */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    /**
     * Tells the log the replication high watermark: retention and compaction never remove or
     * rewrite data at or above it. Until called, they are bounded only by the log end offset.
     */
    public void updateHighWatermark(long highWatermark) {
        this.highWatermark = highWatermark;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Bytes in all segments. */
    public long sizeInBytes() {
        long total = 0;
        for (LogSegment segment : segments.values()) {
            total += segment.size();
        }
        return total;
    }

    public int numberOfSegments() {
        return segments.size();
    }

    /** Base offsets of the segments, oldest first (for tests and tools). */
    public List<Long> segmentBaseOffsets() {
        return List.copyOf(segments.keySet());
    }

    /** Whether an I/O error took this log offline. */
    public boolean isOffline() {
        return offlineReason != null;
    }

    private void throwIfOffline() {
        String reason = offlineReason;
        if (reason != null) {
            throw new StorageException(ErrorCode.STORAGE_ERROR, reason, null);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Compaction support (package-private: LogCleaner)

    ReentrantLock lock() {
        return lock;
    }

    FileIo io() {
        return io;
    }

    Clock clock() {
        return clock;
    }

    String logPrefix() {
        return logPrefix;
    }

    /** The segments, oldest first; the last is the active one. */
    List<LogSegment> segmentsSnapshot() {
        return List.copyOf(segments.values());
    }

    LogSegment activeSegment() {
        return activeSegment;
    }

    /**
     * Under the lock: swaps {@code replaced} (a run of consecutive non-active segments) for
     * {@code replacement} in the segment map. Returns false, changing nothing, when the log no
     * longer holds exactly those segments (truncated or deleted meanwhile).
     */
    boolean replaceSegments(List<LogSegment> replaced, LogSegment replacement) {
        for (LogSegment segment : replaced) {
            if (segments.get(segment.baseOffset()) != segment || segment == activeSegment) {
                return false;
            }
        }
        beginStructureChange();
        try {
            for (LogSegment segment : replaced) {
                segments.remove(segment.baseOffset());
            }
            segments.put(replacement.baseOffset(), replacement);
        } finally {
            endStructureChange();
        }
        return true;
    }

    String markOfflineFor(String what, IOException e) {
        return markOffline(what, e);
    }

    // ---------------------------------------------------------------------------------------
    // Close and delete

    /**
     * Flushes everything, snapshots producer state, trims indexes, writes the checkpoints and the
     * clean-shutdown marker, and closes the files. An offline log is closed without the marker,
     * so the next open recovers it.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (offlineReason == null) {
                for (LogSegment segment : segments.values()) {
                    segment.flush();
                }
                recoveryPoint = logEndOffset;
                producerState.takeSnapshot();
                for (LogSegment segment : segments.values()) {
                    segment.close();
                }
                checkpointRecoveryPoint();
                OffsetCheckpointFile.write(io, directory.resolve(LOG_START_FILE), logStartOffset);
                io.writeAtomically(directory.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
            } else {
                closeSegmentsQuietly();
            }
            offlineReason = offlineReason == null ? topicPartition + ": the log is closed" : offlineReason;
        } catch (IOException e) {
            markOffline("close failed", e);
            closeSegmentsQuietly();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    private void closeSegmentsQuietly() {
        for (LogSegment segment : segments.values()) {
            segment.closeQuietly();
        }
    }

    /** Closes the log and deletes its directory (the partition was deleted or moved away). */
    public void delete() throws IOException {
        lock.lock();
        try {
            closeSegmentsQuietly();
            offlineReason = topicPartition + ": the log was deleted";
            io.deleteRecursively(directory);
            io.syncDirectory(directory.getParent());
            LOG.info("{}Deleted the log", logPrefix);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", start=" + logStartOffset + ", end=" + logEndOffset
                + ", segments=" + segments.size() + ")";
    }
}
