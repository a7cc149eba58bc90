package io.brook.storage.internal;

import io.brook.api.records.RecordBatch;
import io.brook.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Walks the batches of a segment file front to back through a large read window, so recovery
 * and rebuilds cost one read per window rather than one per batch.
 *
 * <p>A scan stops at the first position that does not hold a whole batch of plausible length
 * ({@link #next()} returns null and {@link #stopReason()} says why); CRC and offset checks are
 * the caller's, who knows what "valid" means for it. Each returned {@link RecordBatch} views the
 * shared window and is valid only until the next call.
 *
 * <p>Not thread-safe: one scan, one thread.
 */
final class BatchScanner {
    private static final int WINDOW_BYTES = 1 << 20;

    private final StorageFile file;
    private final long end;
    private ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private long windowStart;
    private long position;
    private String stopReason;

    /** Scans [{@code start}, {@code end}) of {@code file}. */
    BatchScanner(StorageFile file, long start, long end) {
        this.file = file;
        this.position = start;
        this.end = end;
        this.windowStart = start;
        this.window.limit(0);
    }

    /** The file position of the next batch (after a stop: where the valid prefix ends). */
    long position() {
        return position;
    }

    /** Why the scan stopped before the end, or null when it reached the end cleanly. */
    String stopReason() {
        return stopReason;
    }

    /** The next whole batch, or null at the end or at the first bytes that cannot be one. */
    RecordBatch next() throws IOException {
        long remaining = end - position;
        if (remaining == 0) {
            return null;
        }
        if (remaining < RecordBatch.LOG_OVERHEAD) {
            stopReason = remaining + " trailing bytes at position " + position + " are shorter than a batch header";
            return null;
        }
        if (!ensureWindow(RecordBatch.LOG_OVERHEAD)) {
            return null;
        }
        int offsetInWindow = (int) (position - windowStart);
        int batchLength = window.getInt(offsetInWindow + 8);
        long size = RecordBatch.LOG_OVERHEAD + (long) batchLength;
        if (batchLength < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD) {
            stopReason = "impossible batch length " + batchLength + " at position " + position;
            return null;
        }
        if (size > remaining) {
            stopReason = "batch at position " + position + " declares " + size + " bytes but only "
                    + remaining + " remain";
            return null;
        }
        if (!ensureWindow((int) size)) {
            return null;
        }
        offsetInWindow = (int) (position - windowStart);
        ByteBuffer slice = window.duplicate();
        slice.position(offsetInWindow).limit(offsetInWindow + (int) size);
        position += size;
        return RecordBatch.wrap(slice);
    }

    /** Makes [position, position + bytes) available in the window, refilling it if needed. */
    private boolean ensureWindow(int bytes) throws IOException {
        long windowEnd = windowStart + window.limit();
        if (position >= windowStart && position + bytes <= windowEnd) {
            return true;
        }
        if (window.capacity() < bytes) {
            window = ByteBuffer.allocate(bytes);
        }
        window.clear();
        int toRead = (int) Math.min(window.capacity(), end - position);
        window.limit(toRead);
        windowStart = position;
        long at = position;
        while (window.hasRemaining()) {
            int read = file.read(window, at);
            if (read < 0) {
                break;
            }
            at += read;
        }
        window.flip();
        if (window.limit() < bytes) {
            stopReason = "file ended at " + (windowStart + window.limit()) + " inside a batch";
            return false;
        }
        return true;
    }
}
