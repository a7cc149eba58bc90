package io.brook.client;

import io.brook.api.v1.ErrorCode;

/**
 * The operation did not finish in time. When {@link #indeterminate()} is true, a request was sent
 * and its answer never came: the operation may have taken effect (a record may be in the log).
 * When false, nothing was sent (no buffer memory or no metadata within {@code max.block.ms}).
 */
public class TimeoutException extends RetriableException {
    private final boolean indeterminate;

    public TimeoutException(String message, boolean indeterminate) {
        this(message, indeterminate, null);
    }

    public TimeoutException(String message, boolean indeterminate, Throwable cause) {
        super(ErrorCode.REQUEST_TIMED_OUT, message, cause);
        this.indeterminate = indeterminate;
    }

    @Override
    public boolean indeterminate() {
        return indeterminate;
    }
}
