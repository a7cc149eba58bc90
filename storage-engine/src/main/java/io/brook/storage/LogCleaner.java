package io.brook.storage;

import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.storage.internal.LogSegment;
import io.brook.storage.internal.OffsetCheckpointFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log compaction ({@code cleanup.policy=compact}): keeps the latest record per key, removes
 * tombstones older than {@code delete.retention.ms}, and never changes an offset.
 *
 * <p><b>What is cleaned.</b> The cleanable range runs from the log start offset to the first
 * segment that is active, reaches the high watermark, or holds a record newer than
 * {@code min.compaction.lag.ms}. Its "dirty" part starts at the cleaner checkpoint (where the
 * last cleaning ended). A pass runs when dirty bytes / cleanable bytes reaches
 * {@code min.cleanable.dirty.ratio}: it maps each key in the dirty part to its latest offset,
 * then rewrites the whole cleanable range, dropping every keyed record that a later offset of the
 * same key supersedes, records without a key, and expired tombstones. A batch keeps its base
 * offset, last offset, producer fields and timestamps; only records inside it go.
 *
 * <p><b>Tombstones.</b> A tombstone (null value) that is the latest for its key stays until its
 * timestamp is more than {@code delete.retention.ms} old. When a pass keeps tombstones, the log
 * remembers when the oldest of them expires and becomes cleanable at that time even without new
 * dirty data (in memory only: after a restart, the next dirty-triggered pass removes them).
 *
 * <p><b>Crash-safe swap.</b> A group of old segments becomes one cleaned segment, written as
 * {@code <base>.log.cleaned} (+ indexes) and fsynced. Then a marker {@code <base>.swap} holding
 * the end of the replaced range is written atomically: the commit point. Then the cleaned files
 * are renamed over the old base segment's and the other old segments are deleted; then the
 * marker goes. {@link #finishInterruptedSwaps} on open completes a swap whose marker exists and
 * discards cleaned files without one, so a crash at any point leaves either the old segments or
 * the cleaned one, never both or neither.
 *
 * <p><b>Threads.</b> Reading and rewriting run without the log lock (the writer keeps
 * appending); the swap takes the lock and is abandoned if the log no longer holds exactly the
 * segments that were cleaned (truncated or deleted meanwhile). One cleaner per log at a time.
 */
final class LogCleaner {
    static final String CHECKPOINT_FILE = "cleaner-offset-checkpoint";
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    /** What a cleaning pass did; {@code cleaned} is false when the log did not need one. */
    record Result(boolean cleaned, long firstDirtyOffset, long cleanableEndOffset, long bytesBefore,
                  long bytesAfter, long recordsRemoved) {
        static final Result SKIPPED = new Result(false, -1, -1, 0, 0, 0);
    }

    private LogCleaner() {
    }

    /** The dirty share of the cleanable range (0 when there is nothing to clean). */
    static double dirtyRatio(PartitionLog log) throws IOException {
        Range range = cleanableRange(log, log.segmentsSnapshot());
        return range == null ? 0.0 : range.dirtyRatio();
    }

    /**
     * Cleans {@code log} if its config asks for compaction and the dirty ratio is high enough
     * (or {@code force}).
     */
    static Result clean(PartitionLog log, boolean force) throws IOException {
        LogConfig config = log.config();
        if (!config.compact() || log.isOffline()) {
            return Result.SKIPPED;
        }
        List<LogSegment> segments = log.segmentsSnapshot();
        Range range = cleanableRange(log, segments);
        long now = log.clock().milliseconds();
        boolean tombstonesDue = now >= log.tombstoneDeadlineMs;
        if (range == null || (!force && !tombstonesDue && range.dirtyRatio() < config.minCleanableDirtyRatio())) {
            return Result.SKIPPED;
        }
        Map<ByteBuffer, Long> latestOffsetByKey = new HashMap<>();
        for (LogSegment segment : range.dirty()) {
            forEachBatch(segment, batch -> {
                if (batch.isControlBatch()) {
                    return;
                }
                for (Record record : batch) {
                    if (record.hasKey()) {
                        latestOffsetByKey.put(copyOf(record.key()), record.offset());
                    }
                }
            });
        }
        long bytesBefore = 0;
        long bytesAfter = 0;
        PassStats stats = new PassStats();
        for (List<LogSegment> group : groups(range.all(), config)) {
            long groupEnd = nextBaseAfter(segments, group.get(group.size() - 1));
            LogSegment cleaned = LogSegment.create(log.io(), log.directory(), group.get(0).baseOffset(),
                    CLEANED_SUFFIX, config.segmentIndexBytes(), config.indexIntervalBytes(), now);
            try {
                for (LogSegment source : group) {
                    bytesBefore += source.size();
                    forEachBatch(source, batch -> {
                        ByteBuffer kept = retained(batch, latestOffsetByKey, config, now, stats);
                        if (kept != null) {
                            RecordBatch view = RecordBatch.wrap(kept);
                            cleaned.append(kept, view.baseOffset(), view.lastOffset(), view.maxTimestamp(),
                                    view.lastOffset());
                        }
                    });
                }
                bytesAfter += cleaned.size();
                cleaned.onBecomeInactive();
                cleaned.flush();
            } catch (IOException | RuntimeException e) {
                cleaned.deleteFiles();
                throw e;
            }
            if (!swap(log, group, cleaned, groupEnd)) {
                LOG.info("{}Compaction abandoned: the log changed under the cleaner", log.logPrefix());
                return Result.SKIPPED;
            }
        }
        OffsetCheckpointFile.write(log.io(), log.directory().resolve(CHECKPOINT_FILE), range.end());
        // Tombstones kept now become removable later, with no new dirty data to trigger a pass.
        log.tombstoneDeadlineMs = stats.oldestKeptTombstoneMs == Long.MAX_VALUE ? Long.MAX_VALUE
                : saturatedAdd(stats.oldestKeptTombstoneMs, config.deleteRetentionMs() + 1);
        LOG.info("{}Compacted offsets [{}, {}): {} -> {} bytes, {} records removed", log.logPrefix(),
                range.all().get(0).baseOffset(), range.end(), bytesBefore, bytesAfter, stats.removed);
        return new Result(true, range.firstDirty(), range.end(), bytesBefore, bytesAfter, stats.removed);
    }

    /**
     * The batch as it should be after cleaning: the same bytes when every record stays, a
     * rewritten batch with the surviving records (offsets and header kept), or null when none
     * survive.
     */
    private static ByteBuffer retained(RecordBatch batch, Map<ByteBuffer, Long> latestOffsetByKey,
                                       LogConfig config, long now, PassStats stats) {
        if (batch.isControlBatch()) {
            return batch.buffer();
        }
        List<Record> keep = new ArrayList<>();
        int total = 0;
        for (Record record : batch) {
            total++;
            if (shouldRetain(record, latestOffsetByKey, config, now)) {
                keep.add(record);
                if (!record.hasValue()) {
                    stats.oldestKeptTombstoneMs = Math.min(stats.oldestKeptTombstoneMs, record.timestamp());
                }
            }
        }
        stats.removed += total - keep.size();
        if (keep.size() == total) {
            return batch.buffer();
        }
        if (keep.isEmpty()) {
            return null;
        }
        RecordBatchBuilder builder = RecordBatchBuilder.retaining(batch);
        for (Record record : keep) {
            builder.appendWithOffset(record.offset(), record.timestamp(), record.key(), record.value(),
                    record.headers());
        }
        return builder.build();
    }

    private static boolean shouldRetain(Record record, Map<ByteBuffer, Long> latestOffsetByKey, LogConfig config,
                                        long now) {
        if (!record.hasKey()) {
            return false; // a compacted topic cannot hold keyless records; Kafka's cleaner drops them too
        }
        Long latest = latestOffsetByKey.get(record.key());
        if (latest != null && latest > record.offset()) {
            return false; // superseded by a later record with the same key
        }
        if (!record.hasValue()) {
            return now - record.timestamp() <= config.deleteRetentionMs(); // tombstone: kept for a while
        }
        return true;
    }

    /**
     * Replaces {@code group} by {@code cleaned} on disk and in the log. Returns false (and
     * discards {@code cleaned}) when the log no longer holds exactly {@code group}.
     */
    private static boolean swap(PartitionLog log, List<LogSegment> group, LogSegment cleaned, long groupEnd)
            throws IOException {
        FileIo io = log.io();
        Path directory = log.directory();
        long base = cleaned.baseOffset();
        Path marker = directory.resolve(LogSegment.fileName(base, SWAP_SUFFIX));
        cleaned.closeQuietly();
        log.lock().lock();
        try {
            List<LogSegment> current = log.segmentsSnapshot();
            for (LogSegment segment : group) {
                if (!current.contains(segment) || segment == log.activeSegment()) {
                    deleteCleanedFiles(io, directory, base);
                    return false;
                }
            }
            io.writeAtomically(marker, Long.toString(groupEnd).getBytes(StandardCharsets.UTF_8));
            completeSwap(io, directory, base, groupEnd);
            LogConfig config = log.config();
            LogSegment reopened = LogSegment.open(io, directory, base, config.segmentIndexBytes(),
                    config.indexIntervalBytes(), false, log.clock().milliseconds());
            reopened.loadTailState();
            if (!log.replaceSegments(group, reopened)) {
                throw new IllegalStateException("segments changed while the log lock was held");
            }
            for (LogSegment old : group) {
                old.closeQuietly();
            }
            io.deleteIfExists(marker);
            io.syncDirectory(directory);
            return true;
        } catch (IOException e) {
            log.markOfflineFor("compaction swap failed", e);
            throw e;
        } finally {
            log.lock().unlock();
        }
    }

    /**
     * The swap after its commit point: cleaned files over the base segment's, the other old
     * segments in [base, end) deleted. Idempotent, so recovery can run it again after a crash.
     */
    private static void completeSwap(FileIo io, Path directory, long base, long end) throws IOException {
        boolean renamed = !io.exists(LogSegment.logFile(directory, base, CLEANED_SUFFIX));
        for (Path file : io.list(directory)) {
            String name = file.getFileName().toString();
            long offset = segmentBaseOffset(name);
            if (offset < 0 || offset >= end || offset < base || name.endsWith(CLEANED_SUFFIX)) {
                continue;
            }
            if (offset == base && renamed) {
                continue; // already the cleaned segment
            }
            io.deleteIfExists(file);
        }
        for (String suffix : List.of(LogSegment.INDEX_SUFFIX, LogSegment.TIME_INDEX_SUFFIX, LogSegment.LOG_SUFFIX)) {
            Path cleaned = directory.resolve(LogSegment.fileName(base, suffix + CLEANED_SUFFIX));
            if (io.exists(cleaned)) {
                io.atomicMove(cleaned, directory.resolve(LogSegment.fileName(base, suffix)));
            }
        }
        io.syncDirectory(directory);
    }

    /**
     * The log was truncated to {@code logEndOffset}: a cleaner checkpoint above it would make the
     * data appended there next look already cleaned, and its keys would never be compacted.
     */
    static void onTruncation(FileIo io, Path directory, long logEndOffset) throws IOException {
        Path checkpoint = directory.resolve(CHECKPOINT_FILE);
        java.util.OptionalLong firstDirty = OffsetCheckpointFile.read(io, checkpoint);
        if (firstDirty.isPresent() && firstDirty.getAsLong() > logEndOffset) {
            OffsetCheckpointFile.write(io, checkpoint, logEndOffset);
        }
    }

    /**
     * Recovery on open: completes swaps whose marker exists and deletes cleaned files without one.
     */
    static void finishInterruptedSwaps(FileIo io, Path directory, String logPrefix) throws IOException {
        for (Path file : io.list(directory)) {
            String name = file.getFileName().toString();
            if (!name.endsWith(SWAP_SUFFIX) || segmentBaseOffset(name) < 0) {
                continue;
            }
            long base = segmentBaseOffset(name);
            long end;
            try {
                end = Long.parseLong(new String(io.readAll(file), StandardCharsets.UTF_8).trim());
            } catch (NumberFormatException e) {
                // Written atomically, so an unreadable marker means it never committed.
                io.deleteIfExists(file);
                continue;
            }
            LOG.info("{}Completing a compaction swap of [{}, {}) interrupted by a crash", logPrefix, base, end);
            completeSwap(io, directory, base, end);
            io.deleteIfExists(file);
            io.syncDirectory(directory);
        }
        for (Path file : io.list(directory)) {
            if (file.getFileName().toString().endsWith(CLEANED_SUFFIX)) {
                io.deleteIfExists(file); // a cleaning that never reached its commit point
            }
        }
    }

    private static void deleteCleanedFiles(FileIo io, Path directory, long base) throws IOException {
        for (String suffix : List.of(LogSegment.LOG_SUFFIX, LogSegment.INDEX_SUFFIX, LogSegment.TIME_INDEX_SUFFIX)) {
            io.deleteIfExists(directory.resolve(LogSegment.fileName(base, suffix + CLEANED_SUFFIX)));
        }
    }

    /** The base offset in a segment-file name ({@code <20 digits>.<ext>[.cleaned]}), or -1. */
    private static long segmentBaseOffset(String name) {
        if (name.length() < 21 || name.charAt(20) != '.' || !name.substring(0, 20).chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(name.substring(0, 20));
    }

    /** Counters of one pass. */
    private static final class PassStats {
        long removed;
        long oldestKeptTombstoneMs = Long.MAX_VALUE;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** The part of the log that may be cleaned now, split at the cleaner checkpoint. */
    private record Range(List<LogSegment> all, List<LogSegment> dirty, long firstDirty, long end) {
        double dirtyRatio() {
            long total = 0;
            long dirtyBytes = 0;
            for (LogSegment segment : all) {
                total += segment.size();
            }
            for (LogSegment segment : dirty) {
                dirtyBytes += segment.size();
            }
            return total == 0 ? 0.0 : (double) dirtyBytes / total;
        }
    }

    private static Range cleanableRange(PartitionLog log, List<LogSegment> segments) throws IOException {
        LogConfig config = log.config();
        long now = log.clock().milliseconds();
        long bound = Math.min(log.highWatermark(), log.logEndOffset());
        long start = log.logStartOffset();
        List<LogSegment> all = new ArrayList<>();
        long end = -1;
        for (int i = 0; i < segments.size() - 1; i++) { // never the active (last) segment
            LogSegment segment = segments.get(i);
            long next = segments.get(i + 1).baseOffset();
            boolean tooNew = config.minCompactionLagMs() > 0
                    && segment.largestTimestamp() > now - config.minCompactionLagMs();
            if (next > bound || tooNew) {
                break;
            }
            if (segment.nextOffset() <= start && next <= start) {
                continue; // entirely below the log start: retention's business
            }
            all.add(segment);
            end = next;
        }
        if (all.isEmpty()) {
            return null;
        }
        long checkpoint = OffsetCheckpointFile.read(log.io(), log.directory().resolve(CHECKPOINT_FILE))
                .orElse(start);
        long firstDirty = Math.max(checkpoint, all.get(0).baseOffset());
        List<LogSegment> dirty = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            long next = i + 1 < all.size() ? all.get(i + 1).baseOffset() : end;
            if (next > firstDirty) {
                dirty.add(all.get(i));
            }
        }
        return new Range(all, dirty, firstDirty, end);
    }

    /**
     * Consecutive segments whose cleaned output fits one segment: total size within
     * {@code segment.bytes}, offsets within 2^31 - 1 of the group's base (indexes hold int32).
     */
    private static List<List<LogSegment>> groups(List<LogSegment> segments, LogConfig config) {
        List<List<LogSegment>> groups = new ArrayList<>();
        List<LogSegment> current = new ArrayList<>();
        long bytes = 0;
        for (LogSegment segment : segments) {
            boolean fits = current.isEmpty()
                    || (bytes + segment.size() <= config.segmentBytes()
                    && segment.nextOffset() - current.get(0).baseOffset() <= Integer.MAX_VALUE);
            if (!fits) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(segment);
            bytes += segment.size();
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    private static long nextBaseAfter(List<LogSegment> segments, LogSegment segment) {
        int index = segments.indexOf(segment);
        return segments.get(index + 1).baseOffset();
    }

    private interface BatchAction {
        void accept(RecordBatch batch) throws IOException;
    }

    private static void forEachBatch(LogSegment segment, BatchAction action) throws IOException {
        long at = segment.baseOffset();
        while (at < segment.nextOffset()) {
            LogSegment.Slice slice = segment.read(at, 1 << 20, Long.MAX_VALUE, true);
            if (slice == null || !slice.batches().hasRemaining()) {
                return;
            }
            for (RecordBatch batch : RecordBatch.batches(slice.batches())) {
                action.accept(batch);
                at = batch.nextOffset();
            }
        }
    }

    private static ByteBuffer copyOf(ByteBuffer buffer) {
        ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
        copy.put(buffer.duplicate());
        copy.flip();
        return copy;
    }
}
