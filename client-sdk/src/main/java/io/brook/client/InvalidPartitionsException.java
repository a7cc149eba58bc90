package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** The partition count is not valid (not positive, or not more than the topic has) ({@code INVALID_PARTITIONS}). */
public class InvalidPartitionsException extends BrookException {
    public InvalidPartitionsException(String message) {
        super(ErrorCode.INVALID_PARTITIONS, message);
    }
}
