package io.brook.client;

import io.brook.api.v1.ErrorCode;

/**
 * No broker could be reached, or a connection broke. When {@link #indeterminate()} is true the
 * connection broke after a request was sent, so it may have taken effect.
 */
public class NetworkException extends RetriableException {
    private final boolean indeterminate;

    public NetworkException(String message, boolean indeterminate, Throwable cause) {
        super(ErrorCode.NETWORK_EXCEPTION, message, cause);
        this.indeterminate = indeterminate;
    }

    @Override
    public boolean indeterminate() {
        return indeterminate;
    }
}
