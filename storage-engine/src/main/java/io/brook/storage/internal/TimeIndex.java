package io.brook.storage.internal;

import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse time index of a segment ({@code .timeindex}): entries of (the largest timestamp seen
 * so far in the segment: int64, the offset relative to the base offset of the last record of the
 * batch that first reached it: int32). Timestamps and offsets both strictly increase. An entry is
 * added with each offset-index entry when the segment's max timestamp grew, and once more when
 * the segment rolls, so the last entry always holds the segment's max timestamp.
 *
 * <p>Because every record at or below an entry's offset has a timestamp at or below the entry's
 * timestamp, a search for the first record with timestamp >= T may start after the largest entry
 * whose timestamp is below T.
 *
 * <p>Thread-safety as {@link MappedIndex}: one writer, lock-free readers.
 */
final class TimeIndex extends MappedIndex {
    static final int ENTRY_SIZE = 12;

    TimeIndex(FileIo io, Path file, long baseOffset, int maxIndexBytes, boolean writable) throws IOException {
        super(io, file, baseOffset, maxIndexBytes, ENTRY_SIZE, writable);
    }

    @Override
    protected long keyAt(ByteBuffer buffer, int n) {
        return buffer.getLong(n * ENTRY_SIZE);
    }

    private long offsetAt(ByteBuffer buffer, int n) {
        return baseOffset + buffer.getInt(n * ENTRY_SIZE + 8);
    }

    /**
     * The offset of the largest entry whose timestamp is below {@code timestamp}: every record at
     * or before it is older than {@code timestamp}. Empty result (-1) when no entry qualifies.
     */
    long lastOffsetOlderThan(long timestamp) {
        ByteBuffer buffer = buffer();
        int slot = largestBelow(buffer, entries(), timestamp);
        return slot < 0 ? -1L : offsetAt(buffer, slot);
    }

    /** The last entry's timestamp, or -1 when empty. */
    long lastTimestamp() {
        ByteBuffer buffer = buffer();
        int count = entries();
        return count == 0 ? -1L : keyAt(buffer, count - 1);
    }

    /** The last entry's offset, or the base offset when empty. */
    long lastOffset() {
        ByteBuffer buffer = buffer();
        int count = entries();
        return count == 0 ? baseOffset : offsetAt(buffer, count - 1);
    }

    /**
     * Writer only: adds (timestamp, offset) when both exceed the last entry's. With
     * {@code skipFullCheck} (the final entry written on roll) a full index drops the entry
     * instead of failing: the segment is closing anyway.
     */
    void maybeAppend(long timestamp, long offset, boolean skipFullCheck) {
        if (timestamp < 0) {
            return; // no timestamp (-1): nothing to index
        }
        int count = entries();
        ByteBuffer buffer = buffer();
        if (count > 0 && (keyAt(buffer, count - 1) >= timestamp || offsetAt(buffer, count - 1) >= offset)) {
            return;
        }
        if (count >= maxEntries()) {
            if (skipFullCheck) {
                return;
            }
            throw new IllegalStateException("time index " + file() + " is full");
        }
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit segment " + baseOffset);
        }
        buffer.putLong(count * ENTRY_SIZE, timestamp);
        buffer.putInt(count * ENTRY_SIZE + 8, (int) relative);
        publishAppended();
    }

    /** Writer only: removes entries whose offset is at or above {@code offset}. */
    void truncateTo(long offset) {
        ByteBuffer buffer = buffer();
        int count = entries();
        int keep = count;
        while (keep > 0 && offsetAt(buffer, keep - 1) >= offset) {
            keep--;
        }
        truncateToEntries(keep);
    }

    /** Whether timestamps and offsets strictly increase and offsets stay below {@code nextOffset}. */
    boolean isSane(long nextOffset) {
        ByteBuffer buffer = buffer();
        int count = entries();
        long previousTimestamp = Long.MIN_VALUE;
        long previousOffset = -1;
        for (int n = 0; n < count; n++) {
            long timestamp = keyAt(buffer, n);
            long offset = offsetAt(buffer, n);
            if (timestamp <= previousTimestamp || offset <= previousOffset || offset >= nextOffset
                    || offset < baseOffset) {
                return false;
            }
            previousTimestamp = timestamp;
            previousOffset = offset;
        }
        return true;
    }
}
