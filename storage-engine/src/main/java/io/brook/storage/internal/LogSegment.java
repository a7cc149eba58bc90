package io.brook.storage.internal;

import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordFormatException;
import io.brook.storage.FileIo;
import io.brook.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One segment of a partition log: the batches from {@link #baseOffset()} up to the next
 * segment's base offset, in {@code <20-digit base offset>.log}, with its sparse offset index
 * ({@code .index}) and time index ({@code .timeindex}).
 *
 * <p>Thread-safety: one writer (the log, under its lock) appends, truncates and rolls; readers
 * call {@link #read}, {@link #findOffsetByTimestamp} and the accessors concurrently without
 * locks. The writer writes a batch's bytes, then its index entries, then publishes the new size
 * through a volatile field: a reader bounded by the size it read sees only whole batches.
 * Readers racing a truncation may read bytes that are being replaced; the log's truncation
 * counter makes them retry (see {@code PartitionLog}).
 *
 * <p>Invariants: batches in the file are contiguous, CRC-valid, with strictly increasing
 * offsets, all at or above the base offset and within 2^31 - 1 of it (indexes store relative
 * offsets as int32).
 */
public final class LogSegment {
    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";

    private final FileIo io;
    private final Path directory;
    private final long baseOffset;
    private final String suffix;
    private final StorageFile log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final int indexIntervalBytes;
    private final long createdMs;

    /** Bytes of whole batches in the file; readers never look past it. */
    private volatile int size;
    /** The offset after the last batch (the base offset when empty). */
    private volatile long nextOffset;
    /** Largest batch max timestamp in the segment, and the last offset of the batch that had it. */
    private volatile TimestampOffset maxTimestampSoFar = TimestampOffset.NONE;
    /** The first batch's max timestamp, which {@code segment.ms} is measured from; -1 when unknown. */
    private long rollingBasedTimestamp = -1L;
    private int bytesSinceLastIndexEntry;

    /** A (timestamp, offset) pair, as index entries and max-timestamp tracking use it. */
    public record TimestampOffset(long timestamp, long offset) {
        static final TimestampOffset NONE = new TimestampOffset(-1L, -1L);
    }

    private LogSegment(FileIo io, Path directory, long baseOffset, String suffix, int maxIndexBytes,
                       int indexIntervalBytes, boolean writable, long nowMs) throws IOException {
        this.io = io;
        this.directory = directory;
        this.baseOffset = baseOffset;
        this.suffix = suffix;
        this.indexIntervalBytes = indexIntervalBytes;
        this.createdMs = nowMs;
        this.log = io.open(logFile(directory, baseOffset, suffix), true);
        boolean done = false;
        try {
            this.offsetIndex = new OffsetIndex(io, indexFile(directory, baseOffset, suffix), baseOffset,
                    maxIndexBytes, writable);
            this.timeIndex = new TimeIndex(io, timeIndexFile(directory, baseOffset, suffix), baseOffset,
                    maxIndexBytes, writable);
            long fileSize = log.size();
            if (fileSize > Integer.MAX_VALUE) {
                throw new IOException(logFile(directory, baseOffset, suffix) + " is larger than 2 GiB: "
                        + fileSize + " bytes");
            }
            this.size = (int) fileSize;
            this.nextOffset = baseOffset;
            done = true;
        } finally {
            if (!done) {
                log.close();
            }
        }
    }

    /**
     * Creates an empty segment at {@code baseOffset} (any stale files of that name are
     * replaced). {@code suffix} is "" for a live segment, or a temporary suffix such as
     * ".cleaned" for one being written by compaction.
     */
    public static LogSegment create(FileIo io, Path directory, long baseOffset, String suffix,
                                    int maxIndexBytes, int indexIntervalBytes, long nowMs) throws IOException {
        io.deleteIfExists(logFile(directory, baseOffset, suffix));
        io.deleteIfExists(indexFile(directory, baseOffset, suffix));
        io.deleteIfExists(timeIndexFile(directory, baseOffset, suffix));
        LogSegment segment = new LogSegment(io, directory, baseOffset, suffix, maxIndexBytes,
                indexIntervalBytes, true, nowMs);
        segment.rollingBasedTimestamp = -1L;
        return segment;
    }

    /**
     * Opens an existing segment. The caller then either trusts it (before the recovery point,
     * after a clean shutdown): {@link #loadTailState()} and {@link #indexesAreSane()}, rebuilding
     * with {@link #recover} when they fail; or recovers it at once with {@link #recover}.
     */
    public static LogSegment open(FileIo io, Path directory, long baseOffset, int maxIndexBytes,
                                  int indexIntervalBytes, boolean writable, long nowMs) throws IOException {
        return new LogSegment(io, directory, baseOffset, "", maxIndexBytes, indexIntervalBytes, writable, nowMs);
    }

    public static Path logFile(Path directory, long baseOffset, String suffix) {
        return directory.resolve(fileName(baseOffset, LOG_SUFFIX + suffix));
    }

    static Path indexFile(Path directory, long baseOffset, String suffix) {
        return directory.resolve(fileName(baseOffset, INDEX_SUFFIX + suffix));
    }

    static Path timeIndexFile(Path directory, long baseOffset, String suffix) {
        return directory.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX + suffix));
    }

    /** {@code <20-digit zero-padded offset><extension>}, Kafka's naming. */
    public static String fileName(long offset, String extension) {
        return String.format("%020d%s", offset, extension);
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** Published size in bytes (whole batches only). */
    public int size() {
        return size;
    }

    /** The offset after the last batch; the base offset when the segment is empty. */
    public long nextOffset() {
        return nextOffset;
    }

    public TimestampOffset maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    public long largestTimestamp() {
        return maxTimestampSoFar.timestamp();
    }

    public boolean isEmpty() {
        return size == 0;
    }

    Path logFile() {
        return logFile(directory, baseOffset, suffix);
    }

    /**
     * Whether appending {@code bytes} more, up to {@code lastOffset}, with records up to
     * {@code incomingMaxTimestamp}, calls for a new segment first.
     *
     * <p>Time-based rolling compares record time with record time, as Kafka does: the incoming
     * records' max timestamp against the segment's first batch's. Comparing against the wall
     * clock instead would roll a segment per batch for a producer replaying old data. Only a
     * segment whose first batch has no timestamp falls back to its creation time on the clock.
     */
    public boolean shouldRoll(int segmentBytes, long segmentMs, int bytes, long lastOffset,
                              long incomingMaxTimestamp, long nowMs) {
        if (isEmpty()) {
            return false;
        }
        if ((long) size + bytes > segmentBytes) {
            return true;
        }
        long waited = rollingBasedTimestamp >= 0 ? incomingMaxTimestamp - rollingBasedTimestamp : nowMs - createdMs;
        if (waited > segmentMs) {
            return true;
        }
        return offsetIndex.isFull() || timeIndex.isFull() || lastOffset - baseOffset > Integer.MAX_VALUE;
    }

    /**
     * Writer only: appends whole, validated batches at the end. {@code largestOffset} is the last
     * offset in {@code batches}; the max timestamp and its offset feed the time index.
     */
    public void append(ByteBuffer batches, long firstOffset, long largestOffset, long maxTimestamp,
                       long offsetOfMaxTimestamp) throws IOException {
        if (largestOffset - baseOffset > Integer.MAX_VALUE || firstOffset < baseOffset) {
            throw new IllegalArgumentException("offsets " + firstOffset + ".." + largestOffset
                    + " do not fit segment " + baseOffset);
        }
        int position = size;
        int length = batches.remaining();
        log.writeFully(batches, position);
        if (isEmpty()) {
            rollingBasedTimestamp = maxTimestamp;
        }
        afterBatch(position, length, firstOffset, largestOffset, maxTimestamp, offsetOfMaxTimestamp);
        size = position + length; // publish: readers may now see these bytes
    }

    /** Index and max-timestamp bookkeeping for a batch (or batches) at {@code position}. */
    private void afterBatch(int position, int length, long firstOffset, long lastOffset, long maxTimestamp,
                            long offsetOfMaxTimestamp) {
        if (maxTimestamp > maxTimestampSoFar.timestamp()) {
            maxTimestampSoFar = new TimestampOffset(maxTimestamp, offsetOfMaxTimestamp);
        }
        // A full index only stops indexing (lookups scan further); appends roll before that.
        if (bytesSinceLastIndexEntry > indexIntervalBytes && !offsetIndex.isFull() && !timeIndex.isFull()) {
            offsetIndex.append(firstOffset, position);
            TimestampOffset max = maxTimestampSoFar;
            timeIndex.maybeAppend(max.timestamp(), max.offset(), false);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += length;
        nextOffset = lastOffset + 1;
    }

    /** What {@link #read} found: whole batches and where they start. */
    public record Slice(ByteBuffer batches, int position) {
    }

    /**
     * Reads whole batches starting with the one that holds {@code startOffset}, stopping before
     * {@code maxBytes} would be exceeded (but returning the first batch whole even if it is larger,
     * when {@code minOneBatch}) and before any batch whose last offset is at or above
     * {@code maxOffsetExclusive}. Returns null when no batch in this segment holds an offset at
     * or above {@code startOffset}. Lock-free; see the class comment for racing truncations.
     *
     * <p>Reads start at the offset index's position for {@code startOffset} and fetch
     * {@code maxBytes} at once: when the index lands on the wanted batch (the usual case for a
     * consumer reading on, since entries are keyed by batch base offsets) that is a single
     * {@code pread}. Batches before the wanted one that the read picked up are skipped, so such
     * a result may be shorter than {@code maxBytes}.
     */
    public Slice read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch)
            throws IOException {
        int limit = size;
        int position = Math.min(offsetIndex.lookup(startOffset), limit);
        while (limit - position >= RecordBatch.HEADER_SIZE) {
            int toRead = Math.min(Math.max(maxBytes, RecordBatch.HEADER_SIZE), limit - position);
            ByteBuffer buffer = ByteBuffer.allocate(toRead);
            log.readFully(buffer, position);
            buffer.flip();
            int skip = 0;
            while (buffer.limit() - skip >= RecordBatch.HEADER_SIZE) {
                RecordBatch header = RecordBatch.wrap(buffer.duplicate().position(skip));
                int batchLength = header.batchLength();
                if (batchLength < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD) {
                    return null; // not a batch: a reader racing a truncation (it will retry)
                }
                long lastOffset = header.lastOffset();
                if (lastOffset >= startOffset) {
                    return slice(buffer, skip, position, limit, lastOffset, maxOffsetExclusive, minOneBatch);
                }
                skip += RecordBatch.LOG_OVERHEAD + batchLength;
            }
            if (skip == 0) {
                return null;
            }
            position += skip; // every batch read ended before startOffset: read on
        }
        return null;
    }

    /** The whole batches of {@code buffer} from {@code skip} on, cut at the max offset. */
    private Slice slice(ByteBuffer buffer, int skip, int position, int limit, long firstLastOffset,
                        long maxOffsetExclusive, boolean minOneBatch) throws IOException {
        int firstPosition = position + skip;
        if (firstLastOffset >= maxOffsetExclusive) {
            return new Slice(ByteBuffer.allocate(0), firstPosition);
        }
        int firstSize = RecordBatch.wrap(buffer.duplicate().position(skip)).sizeInBytes();
        if (skip + firstSize > buffer.limit()) {
            if (!minOneBatch) {
                return new Slice(ByteBuffer.allocate(0), firstPosition);
            }
            // The first batch is larger than maxBytes: hand it out whole so the reader progresses.
            ByteBuffer one = ByteBuffer.allocate(Math.min(firstSize, limit - firstPosition));
            log.readFully(one, firstPosition);
            one.flip();
            return new Slice(one.asReadOnlyBuffer(), firstPosition);
        }
        int end = skip;
        ByteBuffer rest = buffer.duplicate();
        rest.position(skip);
        for (RecordBatch batch : RecordBatch.batches(rest)) {
            if (batch.lastOffset() >= maxOffsetExclusive) {
                break;
            }
            end += batch.sizeInBytes();
        }
        ByteBuffer result = buffer.duplicate();
        result.position(skip).limit(end);
        return new Slice(result.slice().asReadOnlyBuffer(), firstPosition);
    }

    /**
     * The file position of the first batch whose last offset is at or above {@code offset},
     * searching below {@code limit}; -1 when there is none.
     */
    int translateOffset(long offset, int limit) throws IOException {
        int position = Math.min(offsetIndex.lookup(offset), limit);
        while (position < limit) {
            ByteBuffer header = readHeader(position, limit);
            if (header == null) {
                return -1;
            }
            RecordBatch batch = RecordBatch.wrap(header);
            if (batch.batchLength() < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD) {
                return -1; // not a batch header: a reader racing a truncation (it will retry)
            }
            if (batch.lastOffset() >= offset) {
                return position;
            }
            position += batch.sizeInBytes();
        }
        return -1;
    }

    /** Reads the 61-byte header at {@code position}, or null if it does not fit below {@code limit}. */
    private ByteBuffer readHeader(int position, int limit) throws IOException {
        if (limit - position < RecordBatch.HEADER_SIZE) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
        log.readFully(header, position);
        header.flip();
        return header;
    }

    /**
     * The first record at or above {@code minimumOffset} whose timestamp is at or above
     * {@code timestamp}, or null when this segment has none. Lock-free.
     */
    public TimestampOffset findOffsetByTimestamp(long timestamp, long minimumOffset) throws IOException {
        if (maxTimestampSoFar.timestamp() < timestamp) {
            return null;
        }
        int limit = size;
        long olderThrough = timeIndex.lastOffsetOlderThan(timestamp);
        long searchFrom = Math.max(minimumOffset, olderThrough + 1);
        int position = translateOffset(Math.max(searchFrom, baseOffset), limit);
        if (position < 0) {
            return null;
        }
        BatchScanner scanner = new BatchScanner(log, position, limit);
        for (RecordBatch batch = scanner.next(); batch != null; batch = scanner.next()) {
            if (batch.maxTimestamp() < timestamp || batch.lastOffset() < searchFrom) {
                continue;
            }
            try {
                for (Record record : batch) {
                    if (record.offset() >= searchFrom && record.timestamp() >= timestamp) {
                        return new TimestampOffset(record.timestamp(), record.offset());
                    }
                }
            } catch (RecordFormatException e) {
                throw new IOException("undecodable batch at offset " + batch.baseOffset() + " in "
                        + logFile() + ": " + e.getMessage(), e);
            }
        }
        return null;
    }

    /** Whether both indexes are plausible for the log file (checked when opening without recovery). */
    public boolean indexesAreSane() {
        return offsetIndex.isSane(size) && timeIndex.isSane(nextOffset);
    }

    /** Result of scanning a segment during recovery. */
    public record RecoveryResult(int validBytes, int truncatedBytes, String stopReason) {
    }

    /** Called for each valid batch found by {@link #recover}, in order. */
    public interface BatchVisitor {
        void visit(RecordBatch batch) throws IOException;
    }

    /**
     * Writer only: validates every batch from the start (length, CRC-32C, offsets increasing and
     * inside this segment), rebuilds both indexes, truncates the file at the first invalid batch,
     * and hands each valid batch to {@code visitor} (leader-epoch cache, producer state). The
     * indexes are left at full size; the log trims them if the segment is not the active one.
     */
    public RecoveryResult recover(int maxIndexBytes, BatchVisitor visitor) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        offsetIndex.resize(maxIndexBytes);
        timeIndex.resize(maxIndexBytes);
        maxTimestampSoFar = TimestampOffset.NONE;
        rollingBasedTimestamp = -1L;
        bytesSinceLastIndexEntry = 0;
        nextOffset = baseOffset;
        long fileSize = log.size();
        BatchScanner scanner = new BatchScanner(log, 0, fileSize);
        int validBytes = 0;
        String stopReason = null;
        for (RecordBatch batch = scanner.next(); batch != null; batch = scanner.next()) {
            String problem = problemWith(batch);
            if (problem != null) {
                stopReason = problem + " at position " + validBytes;
                break;
            }
            if (validBytes == 0) {
                rollingBasedTimestamp = batch.maxTimestamp();
            }
            afterBatch(validBytes, batch.sizeInBytes(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(),
                    batch.lastOffset());
            visitor.visit(batch);
            validBytes += batch.sizeInBytes();
        }
        if (stopReason == null) {
            stopReason = scanner.stopReason();
        }
        int truncated = (int) (fileSize - validBytes);
        if (truncated > 0) {
            log.truncate(validBytes);
        }
        size = validBytes;
        return new RecoveryResult(validBytes, truncated, stopReason);
    }

    private String problemWith(RecordBatch batch) {
        try {
            batch.ensureValid();
        } catch (RecordFormatException e) {
            return e.getMessage();
        }
        if (batch.baseOffset() < nextOffset) {
            return "batch base offset " + batch.baseOffset() + " is not above the previous batch's last offset "
                    + (nextOffset - 1);
        }
        if (batch.lastOffset() - baseOffset > Integer.MAX_VALUE) {
            return "batch last offset " + batch.lastOffset() + " is too far above segment base " + baseOffset;
        }
        return null;
    }

    /**
     * Writer only: removes every batch whose last offset is at or above {@code offset} (a batch
     * holding {@code offset} goes whole). Returns the bytes removed.
     */
    public int truncateTo(long offset) throws IOException {
        int limit = size;
        int position = translateOffset(offset, limit);
        if (position < 0) {
            return 0;
        }
        ByteBuffer header = readHeader(position, limit);
        long removedFrom = header == null ? offset : Math.min(offset, RecordBatch.wrap(header).baseOffset());
        offsetIndex.truncateToPosition(position);
        timeIndex.truncateTo(removedFrom);
        size = position;
        log.truncate(position);
        if (position == 0) {
            rollingBasedTimestamp = -1L;
        }
        loadTailState();
        return limit - position;
    }

    /**
     * Recomputes the next offset, max timestamp and bytes since the last index entry by scanning
     * the batches after the last offset-index entry: the cheap open of a trusted segment.
     *
     * @throws IOException when the tail is not whole batches (the caller recovers instead)
     */
    public void loadTailState() throws IOException {
        int limit = size;
        int position = Math.min(offsetIndex.lastPosition(), limit);
        TimestampOffset max = timeIndex.entries() > 0
                ? new TimestampOffset(timeIndex.lastTimestamp(), timeIndex.lastOffset()) : TimestampOffset.NONE;
        long next = baseOffset;
        if (position == 0 && limit > 0) {
            ByteBuffer first = readHeader(0, limit);
            if (first != null) {
                rollingBasedTimestamp = RecordBatch.wrap(first).maxTimestamp();
            }
        }
        BatchScanner scanner = new BatchScanner(log, position, limit);
        for (RecordBatch batch = scanner.next(); batch != null; batch = scanner.next()) {
            next = batch.nextOffset();
            if (batch.maxTimestamp() > max.timestamp()) {
                max = new TimestampOffset(batch.maxTimestamp(), batch.lastOffset());
            }
        }
        if (scanner.position() != limit) {
            throw new IOException("segment " + logFile() + " has a torn batch at position " + scanner.position()
                    + " (" + scanner.stopReason() + ") although it was closed cleanly");
        }
        maxTimestampSoFar = max;
        nextOffset = next;
        bytesSinceLastIndexEntry = limit - position;
        if (rollingBasedTimestamp < 0 && limit > 0) {
            ByteBuffer first = readHeader(0, limit);
            rollingBasedTimestamp = first == null ? -1L : RecordBatch.wrap(first).maxTimestamp();
        }
    }

    /** Writer only: the segment stops being the active one; trim its preallocated indexes. */
    public void onBecomeInactive() throws IOException {
        TimestampOffset max = maxTimestampSoFar;
        timeIndex.maybeAppend(max.timestamp(), max.offset(), true);
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
    }

    /** Writer only: the segment becomes active again (after truncation removed later segments). */
    public void onBecomeActive(int maxIndexBytes) throws IOException {
        offsetIndex.resize(maxIndexBytes);
        timeIndex.resize(maxIndexBytes);
    }

    /** Makes the data durable (fdatasync) and the indexes (msync). */
    public void flush() throws IOException {
        log.force();
        offsetIndex.flush();
        timeIndex.flush();
    }

    /** Makes only the data durable: what acknowledgement needs; indexes are rebuilt on recovery. */
    public void flushData() throws IOException {
        log.force();
    }

    /**
     * Writer only: trims the indexes (so a reopen reads their entry counts from their lengths),
     * makes data and indexes durable, and closes the file.
     */
    public void close() throws IOException {
        try {
            onBecomeInactive();
            flush();
        } finally {
            log.close();
        }
    }

    /** Closes the file without touching the indexes: after an I/O error or for deletion. */
    public void closeQuietly() {
        try {
            log.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the segment is being abandoned.
        }
    }

    /** Closes and deletes the segment's three files. */
    public void deleteFiles() throws IOException {
        closeQuietly();
        io.deleteIfExists(logFile(directory, baseOffset, suffix));
        offsetIndex.deleteFile();
        timeIndex.deleteFile();
    }

    /** The underlying file, for lock-free bulk transfer (benchmarks, zero-copy sends). */
    public StorageFile file() {
        return log;
    }

    @Override
    public String toString() {
        return "LogSegment(base=" + baseOffset + ", size=" + size + ", next=" + nextOffset + suffix + ")";
    }
}
