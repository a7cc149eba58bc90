package io.brook.api.records;

import io.brook.api.v1.ErrorCode;

/**
 * Bytes that are not a valid record batch, or a record inside a batch that is malformed. Carries
 * the {@link ErrorCode} a producer should get: {@link ErrorCode#CORRUPT_MESSAGE} for damaged bytes
 * (bad CRC, impossible lengths, unknown magic), {@link ErrorCode#INVALID_RECORD} for well-formed
 * bytes that break a rule (offset deltas out of order, record count mismatch).
 */
public final class RecordFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ErrorCode errorCode;

    public RecordFormatException(ErrorCode errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public RecordFormatException(ErrorCode errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }
}
