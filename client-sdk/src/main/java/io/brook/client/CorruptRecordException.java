package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** A batch failed its CRC check or could not be decoded ({@code CORRUPT_MESSAGE}). */
public class CorruptRecordException extends RetriableException {
    public CorruptRecordException(String message) {
        super(ErrorCode.CORRUPT_MESSAGE, message);
    }
}
