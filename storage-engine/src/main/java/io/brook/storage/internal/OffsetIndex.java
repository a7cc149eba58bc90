package io.brook.storage.internal;

import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse offset index of a segment ({@code .index}): entries of (offset relative to the
 * segment's base offset: int32, file position of the batch starting with it: int32), both
 * strictly increasing. An entry is added after every {@code index.interval.bytes} of batches,
 * keyed by the appended batch's base offset (Kafka keys by the last offset; keying by the base
 * makes a lookup of a batch's first offset, what a consumer reading on asks for, land exactly on
 * it). A lookup lands at or before the batch that holds the wanted offset and the reader scans
 * forward from there.
 *
 * <p>Thread-safety as {@link MappedIndex}: one writer, lock-free readers.
 */
final class OffsetIndex extends MappedIndex {
    static final int ENTRY_SIZE = 8;

    OffsetIndex(FileIo io, Path file, long baseOffset, int maxIndexBytes, boolean writable) throws IOException {
        super(io, file, baseOffset, maxIndexBytes, ENTRY_SIZE, writable);
    }

    @Override
    protected long keyAt(ByteBuffer buffer, int n) {
        return baseOffset + buffer.getInt(n * ENTRY_SIZE);
    }

    private int positionAt(ByteBuffer buffer, int n) {
        return buffer.getInt(n * ENTRY_SIZE + 4);
    }

    /**
     * The file position to start scanning from for {@code targetOffset}: the position of the
     * largest entry at or below it, or 0 (the segment start) when there is none.
     */
    int lookup(long targetOffset) {
        ByteBuffer buffer = buffer();
        int count = entries();
        int slot = largestAtMost(buffer, count, targetOffset);
        return slot < 0 ? 0 : positionAt(buffer, slot);
    }

    /** The last entry's offset, or the base offset when empty. */
    long lastOffset() {
        ByteBuffer buffer = buffer();
        int count = entries();
        return count == 0 ? baseOffset : keyAt(buffer, count - 1);
    }

    /** The last entry's position, or 0 when empty. */
    int lastPosition() {
        ByteBuffer buffer = buffer();
        int count = entries();
        return count == 0 ? 0 : positionAt(buffer, count - 1);
    }

    /**
     * Writer only: adds (offset, position) when both are beyond the last entry; an entry that
     * would not increase them is ignored (the index is sparse, nothing is lost).
     */
    void append(long offset, int position) {
        int count = entries();
        if (count >= maxEntries()) {
            throw new IllegalStateException("offset index " + file() + " is full");
        }
        ByteBuffer buffer = buffer();
        if (count > 0 && (keyAt(buffer, count - 1) >= offset || positionAt(buffer, count - 1) >= position)) {
            return;
        }
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit segment " + baseOffset);
        }
        buffer.putInt(count * ENTRY_SIZE, (int) relative);
        buffer.putInt(count * ENTRY_SIZE + 4, position);
        publishAppended();
    }

    /** Writer only: removes entries that point at or beyond {@code position} (the log was cut there). */
    void truncateToPosition(int position) {
        ByteBuffer buffer = buffer();
        int keep = entries();
        while (keep > 0 && positionAt(buffer, keep - 1) >= position) {
            keep--;
        }
        truncateToEntries(keep);
    }

    /**
     * Whether the entries are plausible for a log file of {@code logSize} bytes: offsets and
     * positions strictly increasing, every position inside the file. A failed check means the
     * index is rebuilt from the log.
     */
    boolean isSane(long logSize) {
        ByteBuffer buffer = buffer();
        int count = entries();
        long previousOffset = -1;
        long previousPosition = -1;
        for (int n = 0; n < count; n++) {
            long relative = buffer.getInt(n * ENTRY_SIZE);
            long position = positionAt(buffer, n);
            if (relative < 0 || relative <= previousOffset || position <= previousPosition || position >= logSize) {
                return false;
            }
            previousOffset = relative;
            previousPosition = position;
        }
        return true;
    }
}
