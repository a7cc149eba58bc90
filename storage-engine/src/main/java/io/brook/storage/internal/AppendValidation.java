package io.brook.storage.internal;

import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordFormatException;
import io.brook.api.v1.ErrorCode;
import io.brook.storage.LogConfig;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The checks an append makes before it takes the log lock: the request must be whole record
 * batches with a valid envelope and CRC-32C, and a client's batches must also follow the rules
 * for what producers may write. Pure functions of the bytes and the config; thread-safe.
 */
public final class AppendValidation {
    private AppendValidation() {
    }

    /** Why an append was refused; the log prefixes the message with the partition. */
    public record Rejection(ErrorCode error, String message) {
    }

    /**
     * Checks everything that can be checked without the lock: whole batches, envelope and CRC,
     * size limit, records, and the rules for client batches.
     */
    public static Rejection fromClient(ByteBuffer records, LogConfig config, List<RecordBatch> out) {
        Rejection split = wholeValidBatches(records, out);
        if (split != null) {
            return split;
        }
        for (RecordBatch batch : out) {
            if (batch.sizeInBytes() > config.maxMessageBytes()) {
                return new Rejection(ErrorCode.RECORD_TOO_LARGE, "record batch of " + batch.sizeInBytes()
                        + " bytes is larger than max.message.bytes=" + config.maxMessageBytes()
                        + "; send smaller batches or raise the topic's max.message.bytes");
            }
            if (batch.isControlBatch()) {
                return new Rejection(ErrorCode.INVALID_RECORD, "clients may not write control batches");
            }
            if (batch.isTransactional()) {
                return new Rejection(ErrorCode.INVALID_RECORD, "transactional batches are not supported yet");
            }
            if (batch.recordCount() < 1 || batch.lastOffsetDelta() != batch.recordCount() - 1) {
                return new Rejection(ErrorCode.INVALID_RECORD, "batch holds " + batch.recordCount()
                        + " records but its last offset delta is " + batch.lastOffsetDelta()
                        + " (a producer's batch must have deltas 0.." + (batch.recordCount() - 1) + ")");
            }
            if (batch.hasProducerId() && out.size() > 1) {
                return new Rejection(ErrorCode.INVALID_RECORD, "an idempotent producer must send one batch per "
                        + "partition per request, got " + out.size());
            }
            if (batch.hasProducerId() && (batch.producerEpoch() < 0 || batch.baseSequence() < 0)) {
                return new Rejection(ErrorCode.INVALID_RECORD, "batch with producer id " + batch.producerId()
                        + " has no valid producer epoch or sequence (epoch " + batch.producerEpoch()
                        + ", base sequence " + batch.baseSequence() + ")");
            }
            try {
                batch.ensureRecordsValid();
                if (config.compact()) {
                    for (Record record : batch) {
                        if (!record.hasKey()) {
                            return new Rejection(ErrorCode.INVALID_RECORD, "compacted topic (cleanup.policy=compact) "
                                    + "cannot accept a record without a key");
                        }
                    }
                }
            } catch (RecordFormatException e) {
                return new Rejection(e.errorCode(), e.getMessage());
            }
        }
        return null;
    }

    /** Splits a buffer into whole batches with a valid envelope and CRC; nothing may be left over. */
    public static Rejection wholeValidBatches(ByteBuffer records, List<RecordBatch> out) {
        if (!records.hasRemaining()) {
            return new Rejection(ErrorCode.INVALID_RECORD, "the request holds no record batches");
        }
        ByteBuffer view = records.duplicate();
        while (view.hasRemaining()) {
            if (view.remaining() < RecordBatch.LOG_OVERHEAD) {
                return new Rejection(ErrorCode.CORRUPT_MESSAGE, view.remaining()
                        + " trailing bytes are too short to be a record batch");
            }
            RecordBatch batch = RecordBatch.wrap(view);
            try {
                batch.ensureValid();
            } catch (RecordFormatException e) {
                return new Rejection(e.errorCode(), e.getMessage());
            }
            out.add(batch);
            view.position(view.position() + batch.sizeInBytes());
        }
        return null;
    }

}
