package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** Fewer in-sync replicas than min.insync.replicas: an acks=all write was refused or could not complete ({@code NOT_ENOUGH_REPLICAS}). */
public class NotEnoughReplicasException extends RetriableException {
    public NotEnoughReplicasException(String message) {
        super(ErrorCode.NOT_ENOUGH_REPLICAS, message);
    }

    /** {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND}: the leader has the batch, the ISR shrank before it completed. */
    public NotEnoughReplicasException(ErrorCode code, String message) {
        super(code, message);
    }
}
