package io.brook.storage;

import io.brook.api.records.RecordBatch;
import io.brook.api.v1.ErrorCode;
import java.nio.ByteBuffer;

/**
 * What a read of a partition log returned: whole stored batches as bytes (never re-encoded,
 * never partial), or an error with nothing.
 *
 * @param error          {@link ErrorCode#NONE}, {@link ErrorCode#OFFSET_OUT_OF_RANGE} or
 *                       {@link ErrorCode#STORAGE_ERROR}
 * @param message        why, when there is an error; empty otherwise
 * @param records        the batches, read-only, possibly empty; the first one holds the requested
 *                       offset (it may start before it: readers skip records below their position)
 * @param logStartOffset the log start offset when the read was served
 * @param logEndOffset   the log end offset when the read was served
 */
public record ReadResult(ErrorCode error, String message, ByteBuffer records, long logStartOffset,
                         long logEndOffset) {

    static ReadResult of(ByteBuffer records, long logStartOffset, long logEndOffset) {
        return new ReadResult(ErrorCode.NONE, "", records, logStartOffset, logEndOffset);
    }

    static ReadResult error(ErrorCode error, String message, long logStartOffset, long logEndOffset) {
        return new ReadResult(error, message, ByteBuffer.allocate(0).asReadOnlyBuffer(), logStartOffset,
                logEndOffset);
    }

    /** The batches in {@link #records()}. */
    public Iterable<RecordBatch> batches() {
        return RecordBatch.batches(records);
    }
}
