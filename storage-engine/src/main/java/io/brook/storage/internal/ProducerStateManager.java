package io.brook.storage.internal;

import io.brook.api.records.RecordBatch;
import io.brook.api.v1.ErrorCode;
import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent-producer state of one partition: for every producer id that appended to the
 * log, its producer epoch and its last {@value #MAX_CACHED_BATCHES} batches. The leader checks each
 * incoming idempotent batch against it ({@link #check}), so a retry is answered with the original
 * offsets instead of being appended twice, and a gap in the sequence numbers is refused instead of
 * silently losing the records in between. Snapshots ({@link #takeSnapshot}) bound how much of the
 * log must be replayed to rebuild the state when the partition is opened.
 *
 * <p>Thread-safety: not thread-safe; only the partition's single writer (appends, truncation,
 * recovery, retention) may call it.
 *
 * <p>Invariants: the state reflects exactly the batches of the log below {@link #mapEndOffset()}
 * (as far as the caller reported them through {@link #update}); a producer's entry holds only
 * batches of its current epoch, at most {@value #MAX_CACHED_BATCHES}, in offset order; snapshot
 * files are named for the map end offset they were taken at.
 */
public final class ProducerStateManager {
    /** How many of a producer's latest batches are remembered to recognize retries (Kafka's 5). */
    public static final int MAX_CACHED_BATCHES = 5;

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);

    private final FileIo io;
    private final Path partitionDirectory;
    /** "[ProducerState partition-directory] ", so a warning names the partition it is about. */
    private final String logPrefix;
    private final Map<Long, ProducerStateEntry> producers = new HashMap<>();
    private long mapEndOffset;

    /**
     * A manager with no producers and a map end offset of 0; no file is touched. To open an
     * existing partition, call {@link #truncateAndReload} next and replay the log it asks for.
     */
    public ProducerStateManager(FileIo io, Path partitionDirectory) {
        this.io = io;
        this.partitionDirectory = partitionDirectory;
        Path name = partitionDirectory.getFileName();
        this.logPrefix = "[ProducerState " + (name == null ? partitionDirectory : name) + "] ";
    }

    /**
     * Decides what to do with an idempotent batch from producer {@code producerId} with epoch
     * {@code producerEpoch} carrying sequences {@code firstSequence..lastSequence} (which wrap
     * from 2^31-1 to 0). Pure: the state does not change. The rules are Kafka's (since KIP-360):
     * <ol>
     *   <li>Unknown producer id: accepted, whatever the first sequence; the producer's state may
     *       have been removed with the log's start (retention, DeleteRecords).</li>
     *   <li>Epoch below the producer's epoch: rejected with {@code INVALID_PRODUCER_EPOCH}, a
     *       newer instance of the producer has fenced this one.</li>
     *   <li>Epoch above the producer's epoch: accepted if {@code firstSequence} is 0 (a new epoch
     *       restarts the sequence), else rejected with {@code OUT_OF_ORDER_SEQUENCE}.</li>
     *   <li>Same epoch, and one of the cached batches has exactly this sequence range: a
     *       duplicate, answered with that batch's offsets and max timestamp.</li>
     *   <li>Same epoch, and {@code firstSequence} is the one after the latest batch's last
     *       sequence ({@link RecordBatch#incrementSequence}): accepted.</li>
     *   <li>Anything else: rejected with {@code OUT_OF_ORDER_SEQUENCE}. That includes a retry of
     *       a batch older than the {@value #MAX_CACHED_BATCHES} cached ones: the broker can no
     *       longer give its offsets, and like Kafka it reports the sequence as out of order.</li>
     * </ol>
     */
    public SequenceCheck check(long producerId, short producerEpoch, int firstSequence, int lastSequence) {
        requireValidBatch(producerId, producerEpoch, firstSequence, lastSequence);
        ProducerStateEntry entry = producers.get(producerId);
        if (entry == null) {
            return SequenceCheck.ACCEPTED;
        }
        short currentEpoch = entry.producerEpoch();
        String batch = "sequences " + firstSequence + ".." + lastSequence;
        if (producerEpoch < currentEpoch) {
            return new SequenceCheck.Rejected(ErrorCode.INVALID_PRODUCER_EPOCH, "Producer " + producerId
                    + ": batch with epoch " + producerEpoch + " (" + batch + ") is older than the current"
                    + " epoch " + currentEpoch + "; a newer instance of this producer has fenced this one");
        }
        if (producerEpoch > currentEpoch) {
            if (firstSequence == 0) {
                return SequenceCheck.ACCEPTED;
            }
            return new SequenceCheck.Rejected(ErrorCode.OUT_OF_ORDER_SEQUENCE, "Producer " + producerId
                    + ": the first batch of new epoch " + producerEpoch + " must start at sequence 0, got "
                    + batch + " (previous epoch " + currentEpoch + ")");
        }
        Optional<BatchMetadata> duplicate = entry.findBatch(firstSequence, lastSequence);
        if (duplicate.isPresent()) {
            BatchMetadata original = duplicate.get();
            return new SequenceCheck.Duplicate(original.firstOffset(), original.lastOffset(),
                    original.maxTimestamp());
        }
        int expected = RecordBatch.incrementSequence(entry.lastSequence(), 1);
        if (firstSequence == expected) {
            return SequenceCheck.ACCEPTED;
        }
        return new SequenceCheck.Rejected(ErrorCode.OUT_OF_ORDER_SEQUENCE, "Producer " + producerId
                + " epoch " + producerEpoch + ": expected first sequence " + expected
                + " (after last sequence " + entry.lastSequence() + " at offset " + entry.lastOffset()
                + "), got " + batch + "; the "
                + entry.batches().size() + " remembered batches cover sequences "
                + entry.batches().get(0).firstSequence() + ".." + entry.lastSequence()
                + ", so this is a gap or a retry of an older batch");
    }

    /**
     * Records a batch that is now in the log, whether the leader appended it after {@link #check},
     * a follower replicated it, or recovery replays it: no rule is checked, the log is the truth.
     * The batch's epoch becomes the producer's epoch; when it differs from the previous one, the
     * previous epoch's cached batches are dropped (their sequences do not apply any more). The
     * oldest cached batch beyond {@value #MAX_CACHED_BATCHES} is forgotten.
     *
     * @throws IllegalArgumentException for negative ids, epochs or sequences, for
     *     {@code lastOffset < firstOffset}, or when {@code firstOffset} is not above the
     *     producer's last offset (the log was truncated without {@link #truncateAndReload})
     */
    public void update(long producerId, short producerEpoch, int firstSequence, int lastSequence,
            long firstOffset, long lastOffset, long maxTimestamp) {
        requireValidBatch(producerId, producerEpoch, firstSequence, lastSequence);
        BatchMetadata batch =
                new BatchMetadata(firstSequence, lastSequence, firstOffset, lastOffset, maxTimestamp);
        ProducerStateEntry current = producers.get(producerId);
        if (current == null) {
            producers.put(producerId, new ProducerStateEntry(producerId, producerEpoch, List.of(batch)));
            return;
        }
        if (firstOffset <= current.lastOffset()) {
            throw new IllegalArgumentException(logPrefix + "producer " + producerId + ": batch " + batch
                    + " does not follow its last offset " + current.lastOffset()
                    + "; was the log truncated without truncateAndReload?");
        }
        if (producerEpoch != current.producerEpoch()) {
            producers.put(producerId, new ProducerStateEntry(producerId, producerEpoch, List.of(batch)));
        } else {
            producers.put(producerId, current.withBatch(batch));
        }
    }

    /** The state reflects the log's batches below this offset. */
    public long mapEndOffset() {
        return mapEndOffset;
    }

    /** The caller has reported (through {@link #update}) every batch below {@code offset}. */
    public void updateMapEndOffset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("map end offset must be >= 0, got " + offset);
        }
        mapEndOffset = offset;
    }

    /**
     * Writes the current state to {@code <mapEndOffset, 20 digits>.snapshot} in the partition
     * directory, atomically (after a crash the file is absent or complete), replacing a snapshot
     * of the same offset.
     */
    public void takeSnapshot() throws IOException {
        io.createDirectories(partitionDirectory);
        long offset = mapEndOffset;
        ProducerStateSnapshotFile.write(io, snapshotPath(offset), offset, producers.values());
        LOG.debug("{}Wrote a snapshot of {} producers at offset {}", logPrefix, producers.size(), offset);
    }

    /**
     * Like {@link #takeSnapshot()} but without an fsync, for a segment roll on the append path.
     * The running broker sees the file whole (it is renamed into place); after a power loss it
     * may be missing or torn, which its CRC shows, and reopening then uses an older snapshot and
     * replays more of the log.
     */
    public void takeSnapshotWithoutSync() throws IOException {
        long offset = mapEndOffset;
        ProducerStateSnapshotFile.writeWithoutSync(io, snapshotPath(offset), offset, producers.values());
        LOG.debug("{}Wrote a snapshot of {} producers at offset {} (not yet synced)", logPrefix, producers.size(),
                offset);
    }

    /**
     * Rebuilds the state for a log that now holds offsets {@code [logStartOffset, logEndOffset)}:
     * when the partition is opened, and after the log was truncated.
     * <ol>
     *   <li>Snapshots above {@code logEndOffset} (they describe batches the log no longer has) and
     *       below {@code logStartOffset} (the log no longer has the batches to replay after them)
     *       are deleted, as are temporary files left by an interrupted snapshot.</li>
     *   <li>The in-memory state is dropped, and the latest remaining snapshot is loaded; a corrupt
     *       one is deleted (with a warning) and the next older one tried.</li>
     *   <li>Producers whose last offset is below {@code logStartOffset} are dropped: their
     *       batches are gone from the log.</li>
     *   <li>The map end offset becomes the loaded snapshot's offset, or {@code logStartOffset}
     *       when no snapshot was usable.</li>
     * </ol>
     *
     * @return the offset from which the caller must replay the log's batches, through
     *     {@link #update} and {@link #updateMapEndOffset}, to bring the state up to
     *     {@code logEndOffset}: the loaded snapshot's offset, or {@code logStartOffset}; always in
     *     {@code [logStartOffset, logEndOffset]}
     * @throws IOException when the directory cannot be listed or a snapshot cannot be read or
     *     deleted; corruption is not an error, it only costs a longer replay
     */
    public long truncateAndReload(long logStartOffset, long logEndOffset) throws IOException {
        if (logStartOffset < 0 || logEndOffset < logStartOffset) {
            throw new IllegalArgumentException("expected 0 <= log start offset <= log end offset, got "
                    + logStartOffset + " and " + logEndOffset);
        }
        producers.clear();
        mapEndOffset = logStartOffset;
        if (!io.exists(partitionDirectory)) {
            return logStartOffset;
        }
        boolean deleted = false;
        for (Path path : io.list(partitionDirectory)) {
            String name = String.valueOf(path.getFileName());
            if (name.endsWith(ProducerStateSnapshotFile.SUFFIX + ".tmp")) {
                io.deleteIfExists(path);
                deleted = true;
            }
        }
        List<Long> usable = new ArrayList<>();
        for (long offset : snapshotOffsets()) {
            if (offset > logEndOffset || offset < logStartOffset) {
                io.deleteIfExists(snapshotPath(offset));
                deleted = true;
                LOG.debug("{}Deleted the snapshot at offset {}, outside the log's [{}, {}]", logPrefix,
                        offset, logStartOffset, logEndOffset);
            } else {
                usable.add(offset);
            }
        }
        if (deleted) {
            // A snapshot above the log end that came back after a crash would be loaded once the
            // log grows past it again, with state for batches the log no longer holds.
            io.syncDirectory(partitionDirectory);
        }
        for (int index = usable.size() - 1; index >= 0; index--) {
            long offset = usable.get(index);
            Path file = snapshotPath(offset);
            List<ProducerStateEntry> loaded;
            try {
                loaded = ProducerStateSnapshotFile.read(io, file, offset);
            } catch (ProducerStateSnapshotFile.CorruptSnapshotException e) {
                LOG.warn("{}Deleting a corrupt snapshot; an older one, or the log from its start, will be"
                        + " replayed instead: {}", logPrefix, e.getMessage());
                io.deleteIfExists(file);
                continue;
            }
            int dropped = 0;
            for (ProducerStateEntry entry : loaded) {
                if (entry.lastOffset() < logStartOffset) {
                    dropped++;
                } else {
                    producers.put(entry.producerId(), entry);
                }
            }
            mapEndOffset = offset;
            LOG.info("{}Loaded the snapshot at offset {}: {} producers ({} dropped below log start"
                    + " offset {})", logPrefix, offset, producers.size(), dropped, logStartOffset);
            return offset;
        }
        LOG.info("{}No usable snapshot in [{}, {}]; the log is replayed from its start", logPrefix,
                logStartOffset, logEndOffset);
        return logStartOffset;
    }

    /** Deletes the snapshots below {@code offset} (the log's start moved past them). */
    public void deleteSnapshotsBefore(long offset) throws IOException {
        for (long snapshotOffset : snapshotOffsets()) {
            if (snapshotOffset < offset) {
                // No directory sync: an old snapshot that reappears after a crash is below the log
                // start and is deleted again by truncateAndReload.
                io.deleteIfExists(snapshotPath(snapshotOffset));
            }
        }
    }

    /** The offset of the latest snapshot file in the partition directory. */
    public OptionalLong latestSnapshotOffset() throws IOException {
        List<Long> offsets = snapshotOffsets();
        return offsets.isEmpty() ? OptionalLong.empty() : OptionalLong.of(offsets.get(offsets.size() - 1));
    }

    /**
     * The offsets of the snapshot files in the partition directory, ascending. Read from the
     * directory each time, so the answer is what a restart would find.
     */
    public List<Long> snapshotOffsets() throws IOException {
        if (!io.exists(partitionDirectory)) {
            return List.of();
        }
        List<Long> offsets = new ArrayList<>();
        for (Path path : io.list(partitionDirectory)) {
            OptionalLong offset = ProducerStateSnapshotFile.offsetOf(path);
            if (offset.isPresent()) {
                offsets.add(offset.getAsLong());
            }
        }
        offsets.sort(null);
        return List.copyOf(offsets);
    }

    /** The producers with state, by producer id: an immutable copy. */
    public Map<Long, ProducerStateEntry> activeProducers() {
        return Map.copyOf(producers);
    }

    @Override
    public String toString() {
        return "ProducerStateManager(" + partitionDirectory + ", map end offset " + mapEndOffset + ", "
                + producers.size() + " producers)";
    }

    private Path snapshotPath(long offset) {
        return partitionDirectory.resolve(ProducerStateSnapshotFile.fileName(offset));
    }

    private static void requireValidBatch(long producerId, short producerEpoch, int firstSequence,
            int lastSequence) {
        if (producerId < 0 || producerEpoch < 0 || firstSequence < 0 || lastSequence < 0) {
            throw new IllegalArgumentException("not an idempotent batch: producer id " + producerId
                    + ", epoch " + producerEpoch + ", sequences " + firstSequence + ".." + lastSequence);
        }
    }
}
