package io.brook.storage.internal;

import io.brook.storage.EpochEndOffset;
import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader epoch history of one partition's log: for every leader epoch that wrote to the log,
 * the offset of its first batch. A follower asks the leader for the end offset of its own latest
 * epoch ({@link #endOffsetFor}) and truncates there, instead of at its high watermark, which
 * could either drop acknowledged records or keep records the leader never had (Kafka's KIP-101
 * and KIP-279).
 *
 * <p>Thread-safety: mutations are serialized on the instance (the partition's single writer is
 * the only expected caller), while reads run lock-free on an immutable list published through a
 * volatile field, so replication threads may call {@link #endOffsetFor} at any time.
 *
 * <p>Invariants: entries are strictly increasing both in epoch and in start offset, and every
 * epoch and offset is non-negative. After each mutation that returned normally the checkpoint
 * file holds exactly the published entries: the file is written first and the list published
 * second, so a failed write leaves memory and disk as they were.
 *
 * <p>Checkpoint file (text, UTF-8, every line ends with {@code '\n'}; the same layout as Kafka's
 * {@code leader-epoch-checkpoint}, so an operator reads it with {@code cat}):
 * <pre>
 * 0        format version
 * 2        number of entries
 * 0 0      "epoch startOffset", oldest first
 * 3 100
 * </pre>
 */
public final class LeaderEpochCache {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);
    private static final String VERSION = "0";

    private final FileIo io;
    private final Path checkpointFile;
    /** "[LeaderEpochCache partition-directory] ", so a warning names the partition it is about. */
    private final String logPrefix;
    /** Immutable; replaced as a whole under the instance lock, read without it. */
    private volatile List<EpochEntry> entries;

    private LeaderEpochCache(FileIo io, Path checkpointFile, List<EpochEntry> entries) {
        this.io = io;
        this.checkpointFile = checkpointFile;
        Path directory = checkpointFile.getParent();
        this.logPrefix = "[LeaderEpochCache "
                + (directory == null ? checkpointFile : directory.getFileName()) + "] ";
        this.entries = List.copyOf(entries);
    }

    /**
     * Loads the cache from its checkpoint file; a missing file is an empty history (a new
     * partition). A file that does not follow the format, or whose entries are not strictly
     * increasing, fails with an {@link IOException} naming the file and the line: the history is
     * what followers truncate by, so guessing at a damaged one could lose acknowledged records.
     */
    public static LeaderEpochCache load(FileIo io, Path checkpointFile) throws IOException {
        if (!io.exists(checkpointFile)) {
            return new LeaderEpochCache(io, checkpointFile, List.of());
        }
        String text = new String(io.readAll(checkpointFile), StandardCharsets.UTF_8);
        return new LeaderEpochCache(io, checkpointFile, parse(checkpointFile, text));
    }

    /** The epoch of the latest entry: the epoch the log's last batches were written in. */
    public OptionalInt latestEpoch() {
        List<EpochEntry> current = entries;
        return current.isEmpty()
                ? OptionalInt.empty()
                : OptionalInt.of(current.get(current.size() - 1).epoch());
    }

    /** The epoch of the oldest entry still in the history. */
    public OptionalInt earliestEpoch() {
        List<EpochEntry> current = entries;
        return current.isEmpty() ? OptionalInt.empty() : OptionalInt.of(current.get(0).epoch());
    }

    /** The whole history, oldest first; an immutable copy. */
    public List<EpochEntry> entries() {
        return entries;
    }

    /**
     * Records that leader epoch {@code epoch} writes (or wrote) from {@code startOffset} on; called
     * before appending a batch whose partition leader epoch is {@code epoch} at {@code startOffset}.
     * The rules, checked in this order:
     * <ol>
     *   <li>A negative epoch or offset is a caller bug: {@link IllegalArgumentException}.</li>
     *   <li>The history is empty or {@code epoch} is above the latest epoch: entries whose start
     *       offset is {@code >= startOffset} are removed (they claim offsets the new epoch is now
     *       writing, so they never really took effect; usually it is one leader elected in turn
     *       with nothing written), then {@code (epoch, startOffset)} is appended. Removing more than
     *       such an empty entry is logged as a warning.</li>
     *   <li>{@code epoch} equals the latest epoch: nothing changes, an epoch's start offset is
     *       fixed once assigned (every batch of the epoch after the first lands here). A start
     *       offset below the recorded one is logged as a warning: the log holds batches of this
     *       epoch that the history does not know of.</li>
     *   <li>{@code epoch} is below the latest epoch: nothing changes, logged as a warning. Kafka
     *       instead drops the newer entries and appends this one; Brook refuses to rewrite history
     *       from an out-of-order append, because the replication protocol truncates the log (and
     *       this history, through {@link #truncateFromEnd}) before a follower appends an older
     *       epoch's batches, so such an append means a bug, not a legitimate change.</li>
     * </ol>
     * The checkpoint is rewritten only when the history changed.
     */
    public synchronized void assign(int epoch, long startOffset) throws IOException {
        EpochEntry added = new EpochEntry(epoch, startOffset);
        List<EpochEntry> current = entries;
        if (!current.isEmpty()) {
            EpochEntry latest = current.get(current.size() - 1);
            if (epoch == latest.epoch()) {
                if (startOffset < latest.startOffset()) {
                    LOG.warn("{}Ignoring leader epoch {} at offset {}: the history says epoch {} started"
                            + " at {}; the log holds batches of this epoch the history does not know of",
                            logPrefix, epoch, startOffset, epoch, latest.startOffset());
                }
                return;
            }
            if (epoch < latest.epoch()) {
                LOG.warn("{}Ignoring leader epoch {} at offset {}: it is below the latest epoch {} (from"
                        + " offset {}); the log should have been truncated before an older epoch's batches"
                        + " were appended",
                        logPrefix, epoch, startOffset, latest.epoch(), latest.startOffset());
                return;
            }
        }
        List<EpochEntry> kept = new ArrayList<>(current.size() + 1);
        List<EpochEntry> removed = new ArrayList<>();
        for (EpochEntry entry : current) {
            (entry.startOffset() >= startOffset ? removed : kept).add(entry);
        }
        kept.add(added);
        publish(kept);
        if (removed.size() > 1 || (removed.size() == 1 && removed.get(0).startOffset() != startOffset)) {
            LOG.warn("{}New entry {} removed entries {} that started at or after its start offset",
                    logPrefix, added, removed);
        } else {
            LOG.debug("{}Appended {}{}", logPrefix, added,
                    removed.isEmpty() ? "" : ", replacing the empty " + removed);
        }
    }

    /**
     * OffsetForLeaderEpoch: where {@code requestedEpoch} ended in this log. The rules are Kafka's
     * ({@code LeaderEpochFileCache.endOffsetFor}):
     * <ol>
     *   <li>{@code requestedEpoch} is negative (undefined), the history is empty, or
     *       {@code requestedEpoch} is above the latest epoch: {@link EpochEndOffset#UNDEFINED}.</li>
     *   <li>{@code requestedEpoch} is the latest epoch: (latest epoch, {@code logEndOffset}), the
     *       epoch is still being written.</li>
     *   <li>{@code requestedEpoch} is below the earliest epoch: ({@code requestedEpoch}, start
     *       offset of the earliest entry). The history before that was removed with the log's
     *       start, so the best answer is "it ended no later than where this log's history
     *       begins"; the follower then truncates to that offset at most and fetches from there.
     *       (Kafka's Javadoc says UNDEFINED here, but its code, and Brook, answer this way.)</li>
     *   <li>Otherwise: (the largest epoch {@code <= requestedEpoch}, the start offset of the
     *       smallest epoch {@code > requestedEpoch}).</li>
     * </ol>
     * For the history {@code (1, 10) (3, 20) (6, 35)} and a log end offset of 50:
     * <pre>
     * requested | answer
     * ----------+-----------
     *    -1     | (-1, -1)   undefined epoch
     *     0     | ( 0, 10)   below the earliest epoch
     *     1     | ( 1, 20)
     *     2     | ( 1, 20)   between epochs: the epoch before it, ended where 3 started
     *     3     | ( 3, 35)
     *     5     | ( 3, 35)
     *     6     | ( 6, 50)   the latest epoch: the log end offset
     *     7     | (-1, -1)   above the latest epoch
     * </pre>
     * An empty history answers (-1, -1) to everything.
     */
    public EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        List<EpochEntry> current = entries;
        if (requestedEpoch < 0 || current.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        EpochEntry latest = current.get(current.size() - 1);
        if (requestedEpoch == latest.epoch()) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        if (requestedEpoch > latest.epoch()) {
            return EpochEndOffset.UNDEFINED;
        }
        // Here requestedEpoch < latest epoch, so an entry with a larger epoch exists: find the first.
        int higher = 0;
        while (current.get(higher).epoch() <= requestedEpoch) {
            higher++;
        }
        long endOffset = current.get(higher).startOffset();
        int answeredEpoch = higher == 0 ? requestedEpoch : current.get(higher - 1).epoch();
        return new EpochEndOffset(answeredEpoch, endOffset);
    }

    /**
     * The log was truncated to {@code endOffset} (offsets {@code >= endOffset} are gone): entries
     * whose start offset is {@code >= endOffset} go with them.
     */
    public synchronized void truncateFromEnd(long endOffset) throws IOException {
        requireNonNegative(endOffset, "end offset");
        List<EpochEntry> current = entries;
        List<EpochEntry> kept = current.stream().filter(entry -> entry.startOffset() < endOffset).toList();
        if (kept.size() != current.size()) {
            publish(kept);
            LOG.debug("{}Truncated to end offset {}: removed {}", logPrefix, endOffset,
                    current.subList(kept.size(), current.size()));
        }
    }

    /**
     * The log start offset moved up to {@code startOffset} (offsets below it are gone): of the
     * entries that start at or before it, only the latest stays, with its start offset moved up
     * to {@code startOffset}, because the offsets from there up to the next entry still belong to
     * that epoch. Entries starting after {@code startOffset} are untouched. (Like Kafka's
     * {@code truncateFromStart}, an entry starting exactly at {@code startOffset} stays as is.)
     */
    public synchronized void truncateFromStart(long startOffset) throws IOException {
        requireNonNegative(startOffset, "start offset");
        List<EpochEntry> current = entries;
        int atOrBefore = 0;
        while (atOrBefore < current.size() && current.get(atOrBefore).startOffset() <= startOffset) {
            atOrBefore++;
        }
        if (atOrBefore == 0) {
            return;
        }
        EpochEntry lastBefore = current.get(atOrBefore - 1);
        if (atOrBefore == 1 && lastBefore.startOffset() == startOffset) {
            return;
        }
        List<EpochEntry> kept = new ArrayList<>(current.size() - atOrBefore + 1);
        kept.add(new EpochEntry(lastBefore.epoch(), startOffset));
        kept.addAll(current.subList(atOrBefore, current.size()));
        publish(kept);
        LOG.debug("{}Truncated to start offset {}: removed {}, {} now starts at {}", logPrefix, startOffset,
                current.subList(0, atOrBefore - 1), lastBefore, startOffset);
    }

    /** Forgets the whole history (the log was deleted or replaced), on disk too. */
    public synchronized void clear() throws IOException {
        publish(List.of());
    }

    @Override
    public String toString() {
        return "LeaderEpochCache" + entries;
    }

    /** Writes the checkpoint, then makes {@code newEntries} visible to readers. */
    private void publish(List<EpochEntry> newEntries) throws IOException {
        List<EpochEntry> immutable = List.copyOf(newEntries);
        io.writeAtomically(checkpointFile, format(immutable).getBytes(StandardCharsets.UTF_8));
        entries = immutable;
    }

    private static String format(List<EpochEntry> entries) {
        StringBuilder text = new StringBuilder(16 + entries.size() * 16);
        text.append(VERSION).append('\n').append(entries.size()).append('\n');
        for (EpochEntry entry : entries) {
            text.append(entry.epoch()).append(' ').append(entry.startOffset()).append('\n');
        }
        return text.toString();
    }

    private static List<EpochEntry> parse(Path file, String text) throws IOException {
        String[] lines = text.split("\n", -1);
        // Brook ends every line with '\n', which leaves one empty string after the last line; a
        // hand-edited file may lack that final newline, which is harmless.
        int lineCount = lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        if (lineCount < 1 || !lines[0].equals(VERSION)) {
            throw malformed(file, 1, "expected format version " + VERSION + ", found '"
                    + (lineCount < 1 ? "" : lines[0]) + "'");
        }
        if (lineCount < 2) {
            throw malformed(file, 2, "the line with the number of entries is missing");
        }
        int count;
        try {
            count = Integer.parseInt(lines[1]);
        } catch (NumberFormatException e) {
            throw malformed(file, 2, "expected the number of entries, found '" + lines[1] + "'");
        }
        if (count < 0) {
            throw malformed(file, 2, "negative number of entries " + count);
        }
        if (lineCount != 2 + count) {
            int lineNumber = Math.min(lineCount, 2 + count) + 1;
            throw malformed(file, lineNumber, "line 2 announces " + count + " entries but the file has "
                    + (lineCount - 2) + " entry lines");
        }
        List<EpochEntry> entries = new ArrayList<>(count);
        for (int index = 2; index < lineCount; index++) {
            int lineNumber = index + 1;
            String[] fields = lines[index].split(" ", -1);
            if (fields.length != 2) {
                throw malformed(file, lineNumber, "expected 'epoch startOffset', found '" + lines[index]
                        + "'");
            }
            EpochEntry entry;
            try {
                entry = new EpochEntry(Integer.parseInt(fields[0]), Long.parseLong(fields[1]));
            } catch (NumberFormatException e) {
                throw malformed(file, lineNumber, "expected 'epoch startOffset', found '" + lines[index]
                        + "'");
            } catch (IllegalArgumentException e) {
                throw malformed(file, lineNumber, e.getMessage());
            }
            if (!entries.isEmpty()) {
                EpochEntry previous = entries.get(entries.size() - 1);
                if (entry.epoch() <= previous.epoch() || entry.startOffset() <= previous.startOffset()) {
                    throw malformed(file, lineNumber, entry + " does not follow " + previous
                            + ": epochs and start offsets must both increase");
                }
            }
            entries.add(entry);
        }
        return entries;
    }

    private static IOException malformed(Path file, int lineNumber, String reason) {
        return new IOException("Malformed leader epoch checkpoint " + file + ", line " + lineNumber + ": "
                + reason);
    }

    private static void requireNonNegative(long offset, String what) {
        if (offset < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + offset);
        }
    }
}
