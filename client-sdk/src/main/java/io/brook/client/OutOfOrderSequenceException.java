package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** The broker saw an idempotent producer's sequence numbers with a gap: records may be missing ({@code OUT_OF_ORDER_SEQUENCE}). */
public class OutOfOrderSequenceException extends BrookException {
    public OutOfOrderSequenceException(String message) {
        super(ErrorCode.OUT_OF_ORDER_SEQUENCE, message);
    }
}
