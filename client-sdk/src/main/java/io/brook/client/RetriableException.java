package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** An error that may go away when the operation is tried again (a leader change, a busy broker). */
public class RetriableException extends BrookException {
    public RetriableException(ErrorCode errorCode, String message) {
        super(errorCode, message);
    }

    public RetriableException(ErrorCode errorCode, String message, Throwable cause) {
        super(errorCode, message, cause);
    }

    @Override
    public boolean retriable() {
        return true;
    }
}
