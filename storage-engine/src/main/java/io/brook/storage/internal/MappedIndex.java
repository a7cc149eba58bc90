package io.brook.storage.internal;

import io.brook.storage.FileIo;
import io.brook.storage.MappedRegion;
import io.brook.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A sparse, memory-mapped, append-only index of fixed-size entries sorted by a key (an offset or
 * a timestamp), shared by {@link OffsetIndex} and {@link TimeIndex}.
 *
 * <p>Lifecycle: an active segment's index is mapped at its full preallocated size
 * ({@code segment.index.bytes}, rounded down to whole entries); when the segment rolls,
 * {@link #trimToValidSize()} cuts the file to the entries it holds, so a reopened inactive index
 * knows its entry count from its length. After an unclean shutdown the active segment's index is
 * rebuilt from the log, never trusted.
 *
 * <p>Thread-safety: one writer (the partition's writer, under the log lock) appends and
 * truncates; any number of readers search concurrently without locks. The writer stores an
 * entry's bytes first and then publishes the new count through a volatile field, so a reader
 * that sees count n sees n complete entries.
 */
abstract class MappedIndex {
    private final FileIo io;
    private final Path file;
    protected final long baseOffset;
    private final int entrySize;
    private volatile MappedRegion region;
    private volatile int entries;
    private int maxEntries;
    /** The file's length changed since the last {@link #flush()} (a trim): fsync it, not just msync. */
    private boolean lengthChanged;

    /**
     * Opens {@code file}, creating it when missing. A {@code writable} index is mapped at
     * {@code maxIndexBytes}; otherwise at its current length.
     */
    MappedIndex(FileIo io, Path file, long baseOffset, int maxIndexBytes, int entrySize, boolean writable)
            throws IOException {
        this.io = io;
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        long existingLength = io.exists(file) ? io.size(file) : 0L;
        int existingEntries = (int) Math.min(existingLength / entrySize, Integer.MAX_VALUE / entrySize);
        int length = writable
                ? Math.max(roundDown(maxIndexBytes), existingEntries * entrySize)
                : existingEntries * entrySize;
        if (!writable && existingLength != length) {
            truncateFile(length);
        }
        this.region = io.map(file, length);
        this.maxEntries = length / entrySize;
        this.entries = existingEntries;
    }

    private int roundDown(int bytes) {
        return bytes / entrySize * entrySize;
    }

    final Path file() {
        return file;
    }

    final int entries() {
        return entries;
    }

    final boolean isFull() {
        return entries >= maxEntries;
    }

    final int maxEntries() {
        return maxEntries;
    }

    /** The buffer and the count, read in the order that keeps them consistent for a reader. */
    protected final ByteBuffer buffer() {
        return region.buffer();
    }

    /** The key (offset or timestamp) of entry {@code n} in {@code buffer}. */
    protected abstract long keyAt(ByteBuffer buffer, int n);

    protected final int entrySize() {
        return entrySize;
    }

    /**
     * The slot of the largest entry whose key is at most {@code target}, or -1 when every entry is
     * larger (or there are none). Lock-free.
     */
    protected final int largestAtMost(ByteBuffer buffer, int count, long target) {
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (keyAt(buffer, middle) <= target) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return found;
    }

    /** The slot of the largest entry whose key is below {@code target}, or -1. Lock-free. */
    protected final int largestBelow(ByteBuffer buffer, int count, long target) {
        return target == Long.MIN_VALUE ? -1 : largestAtMost(buffer, count, target - 1);
    }

    /** Writer only: stores entry bytes at the next slot, then publishes the new count. */
    protected final void publishAppended() {
        entries = entries + 1;
    }

    /** Writer only: forgets every entry from slot {@code count} on. */
    protected final void truncateToEntries(int count) {
        if (count < entries) {
            entries = count;
        }
    }

    /** Writer only: drops all entries. */
    final void reset() {
        entries = 0;
    }

    /** Writer only: cuts the file and the mapping to the entries present (on roll and close). */
    final void trimToValidSize() throws IOException {
        int length = entries * entrySize;
        if (length == maxEntries * entrySize) {
            return;
        }
        truncateFile(length);
        region = io.map(file, length);
        maxEntries = entries;
        lengthChanged = true;
    }

    /** Writer only: maps the index at {@code maxIndexBytes} again (the segment became active). */
    final void resize(int maxIndexBytes) throws IOException {
        int length = Math.max(roundDown(maxIndexBytes), entries * entrySize);
        region = io.map(file, length);
        maxEntries = length / entrySize;
    }

    private void truncateFile(int length) throws IOException {
        try (StorageFile handle = io.open(file, true)) {
            handle.truncate(length);
        }
    }

    /**
     * Makes the entries durable (msync) and, after a trim, the file's length too (fsync): a
     * reopened inactive index counts its entries by its length. Until then a crash leaves the
     * preallocated length, whose zero entries fail the sanity check, and the index is rebuilt.
     */
    final void flush() throws IOException {
        region.force();
        if (lengthChanged) {
            try (StorageFile handle = io.open(file, false)) {
                handle.force();
            }
            lengthChanged = false;
        }
    }

    final void deleteFile() throws IOException {
        io.deleteIfExists(file);
    }
}
