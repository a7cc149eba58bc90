package io.brook.metadata.internal.controller;

import io.brook.api.v1.ErrorCode;

/**
 * A placement request that cannot be satisfied: fewer than one partition, a replication factor
 * below one, or more replicas per partition than there are usable brokers. Carries the error
 * code the controller returns ({@link ErrorCode#INVALID_PARTITIONS} or
 * {@link ErrorCode#INVALID_REPLICATION_FACTOR}) and a message naming the numbers.
 */
public final class ReplicaPlacementException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    ReplicaPlacementException(ErrorCode errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }
}
