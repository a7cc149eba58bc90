package io.brook.replication.simulation;

import io.brook.replication.FollowerTruncation.EpochEnd;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

/**
 * One replica's partition log, in memory, behaving as the storage engine's {@code PartitionLog}
 * does for replication: records (one per batch) stamped with a leader epoch; the leader-epoch
 * history with {@code LeaderEpochCache}'s rules (assign, OffsetForLeaderEpoch, truncate from the
 * end); a flushed prefix (the recovery point) that only a flush moves; and crashes that lose what
 * was not flushed.
 *
 * <p>The storage engine's behaviours the simulation depends on, copied here on purpose:
 * <ul>
 *   <li>{@link #truncateTo} past the log end does nothing; exactly at the log end it removes no
 *       record but drops the epochs recorded there with nothing written (the fix the simulation
 *       found: {@code PartitionLog.truncateTo} calls {@code LeaderEpochCache.truncateFromEnd}).
 *   <li>The epoch history is written through on every change (a checkpoint file), so it survives
 *       a crash; recovery drops the epochs that start at or past the recovered log end.
 *   <li>A flush covers the log end as of its start, and does not move the recovery point when a
 *       truncation happened meanwhile.
 *   <li>After recovery everything left in the log counts as flushed.
 * </ul>
 *
 * <p>Each prefix of the log has a 64-bit hash, so the invariant checks compare prefixes of two
 * logs in constant time. Not thread-safe.
 */
final class SimulatedLog {
    record EpochStart(int epoch, long startOffset) {}

    private final List<Entry> entries = new ArrayList<>();
    /** prefixHashes[n] is the hash of entries [0, n). */
    private long[] prefixHashes = new long[64];
    private final List<EpochStart> epochs = new ArrayList<>();
    private long recoveryPoint;
    /** Bumped by every truncation and crash: what a flush started before one must not claim. */
    private long structureVersion;
    /** Only for a negative control: a high-watermark checkpoint, as Kafka kept one. */
    private long checkpointedHighWatermark;

    long logEndOffset() {
        return entries.size();
    }

    /** Records below this offset are on disk. */
    long recoveryPoint() {
        return recoveryPoint;
    }

    long structureVersion() {
        return structureVersion;
    }

    Entry entry(long offset) {
        return entries.get((int) offset);
    }

    /** The records in [from, to). */
    List<Entry> read(long from, long to) {
        return List.copyOf(entries.subList((int) from, (int) to));
    }

    /** The hash of the records in [0, length); equal hashes mean equal prefixes (up to a 2^-64 chance). */
    long prefixHash(long length) {
        return prefixHashes[(int) length];
    }

    /** The first offset below {@code length} where the two logs differ, or -1. */
    long firstDifference(SimulatedLog other, long length) {
        for (long offset = 0; offset < length; offset++) {
            if (offset >= logEndOffset() || offset >= other.logEndOffset() || !entry(offset).equals(other.entry(offset))) {
                return offset;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ epochs (LeaderEpochCache)

    OptionalInt latestEpoch() {
        return epochs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochs.get(epochs.size() - 1).epoch());
    }

    /** OffsetForLeaderEpoch, as {@code LeaderEpochCache.endOffsetFor(requested, logEndOffset)}. */
    EpochEnd endOffsetFor(int requested) {
        if (requested < 0 || epochs.isEmpty()) {
            return EpochEnd.UNDEFINED;
        }
        EpochStart latest = epochs.get(epochs.size() - 1);
        if (requested == latest.epoch()) {
            return new EpochEnd(requested, logEndOffset());
        }
        if (requested > latest.epoch()) {
            return EpochEnd.UNDEFINED;
        }
        int higher = 0;
        while (epochs.get(higher).epoch() <= requested) {
            higher++;
        }
        int answered = higher == 0 ? requested : epochs.get(higher - 1).epoch();
        return new EpochEnd(answered, epochs.get(higher).startOffset());
    }

    /** {@code PartitionLog.assignLeaderEpoch}: a new leader records its epoch at the log end. */
    void assignLeaderEpoch(int epoch) {
        OptionalInt latest = latestEpoch();
        if (latest.isEmpty() || epoch > latest.getAsInt()) {
            assign(epoch, logEndOffset());
        }
    }

    /** {@code LeaderEpochCache.assign}: an older or equal epoch changes nothing. */
    private void assign(int epoch, long startOffset) {
        if (!epochs.isEmpty() && epoch <= epochs.get(epochs.size() - 1).epoch()) {
            return;
        }
        epochs.removeIf(e -> e.startOffset() >= startOffset);
        epochs.add(new EpochStart(epoch, startOffset));
    }

    // ---------------------------------------------------------------------------- appends

    long appendAsLeader(int epoch, long value) {
        assign(epoch, logEndOffset());
        add(new Entry(epoch, value));
        return logEndOffset() - 1;
    }

    void appendAsFollower(List<Entry> records) {
        for (Entry record : records) {
            assign(record.epoch(), logEndOffset());
            add(record);
        }
    }

    private void add(Entry entry) {
        int n = entries.size();
        if (n + 1 >= prefixHashes.length) {
            prefixHashes = Arrays.copyOf(prefixHashes, prefixHashes.length * 2);
        }
        entries.add(entry);
        prefixHashes[n + 1] = mix(prefixHashes[n] ^ mix(((long) entry.epoch() << 40) ^ entry.value()));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // ---------------------------------------------------------------------------- truncation

    /**
     * {@code PartitionLog.truncateTo}: removes [offset, end); exactly at the end it removes nothing
     * but drops the epochs recorded there (a leadership that wrote nothing); past the end it does
     * nothing. Returns whether records were removed.
     */
    boolean truncateTo(long offset) {
        if (offset >= logEndOffset()) {
            if (offset == logEndOffset()) {
                epochs.removeIf(e -> e.startOffset() >= offset);
            }
            return false;
        }
        removeFrom((int) offset);
        return true;
    }

    private void removeFrom(int offset) {
        entries.subList(offset, entries.size()).clear();
        epochs.removeIf(e -> e.startOffset() >= entries.size());
        recoveryPoint = Math.min(recoveryPoint, entries.size());
        checkpointedHighWatermark = Math.min(checkpointedHighWatermark, entries.size());
        structureVersion++;
    }

    // ------------------------------------------------------------------------------ flushing

    /** A synchronous flush of everything appended. */
    void flush() {
        recoveryPoint = logEndOffset();
    }

    /** The end of a flush that started at {@code target} (the log end then) in {@code version}. */
    void completeFlush(long target, long version) {
        if (version == structureVersion && target > recoveryPoint && target <= logEndOffset()) {
            recoveryPoint = target;
        }
    }

    // ------------------------------------------------------------------------- crash, recovery

    /**
     * The process died: what was not flushed is gone, except that the page cache may have written
     * some of it back ({@code keepSomeUnflushed}: a random part of the unflushed suffix survives).
     * Then recovery: epochs starting at or past the new end go, and everything left is flushed.
     * Returns how many records were lost.
     */
    long crash(Random random, boolean keepSomeUnflushed) {
        int end = entries.size();
        int survive = (int) recoveryPoint;
        if (keepSomeUnflushed && end > survive) {
            survive += random.nextInt(end - survive + 1);
        }
        if (survive < end) {
            removeFrom(survive);
        }
        epochs.removeIf(e -> e.startOffset() >= entries.size());
        structureVersion++;
        recoveryPoint = entries.size();
        return end - survive;
    }

    // ------------------------------------------------------------------- high watermark (control)

    void checkpointHighWatermark(long highWatermark) {
        checkpointedHighWatermark = Math.min(highWatermark, logEndOffset());
    }

    long checkpointedHighWatermark() {
        return checkpointedHighWatermark;
    }

    @Override
    public String toString() {
        return entries + " epochs " + epochs + " flushed<" + recoveryPoint;
    }
}
