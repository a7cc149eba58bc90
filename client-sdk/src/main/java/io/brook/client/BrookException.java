package io.brook.client;

import io.brook.api.v1.ErrorCode;

/**
 * The root of every error the client reports. {@link #errorCode()} is the broker's code (or
 * {@code UNKNOWN_SERVER_ERROR} for client-side failures); {@link RetriableException}s may succeed
 * when tried again, the others will not.
 *
 * <p>{@link #indeterminate()} is true when the operation may or may not have taken effect — a
 * request that timed out or whose connection broke after it was sent. Such an outcome is never
 * reported as a plain failure: a record whose send ended indeterminate may be in the log.
 */
public class BrookException extends RuntimeException {
    private final ErrorCode errorCode;

    public BrookException(ErrorCode errorCode, String message) {
        this(errorCode, message, null);
    }

    public BrookException(ErrorCode errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    /** Whether trying again may succeed. */
    public boolean retriable() {
        return false;
    }

    /** Whether the operation may have taken effect even though this was reported. */
    public boolean indeterminate() {
        return false;
    }
}
