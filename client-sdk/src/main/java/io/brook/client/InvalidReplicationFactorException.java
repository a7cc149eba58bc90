package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** The replication factor is not valid (not positive, or more than the live brokers) ({@code INVALID_REPLICATION_FACTOR}). */
public class InvalidReplicationFactorException extends BrookException {
    public InvalidReplicationFactorException(String message) {
        super(ErrorCode.INVALID_REPLICATION_FACTOR, message);
    }
}
