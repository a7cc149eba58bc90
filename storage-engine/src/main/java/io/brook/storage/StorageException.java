package io.brook.storage;

import io.brook.api.v1.ErrorCode;

/**
 * A partition log could not do what was asked because of its storage: an I/O error or a full
 * disk ({@link ErrorCode#STORAGE_ERROR}, and the log is now offline), or an offset outside the
 * log ({@link ErrorCode#OFFSET_OUT_OF_RANGE}). Operations that return a result
 * ({@link PartitionLog#appendAsLeader}, {@link PartitionLog#read}) report these as error codes
 * instead of throwing.
 */
public final class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ErrorCode errorCode;

    public StorageException(ErrorCode errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }
}
