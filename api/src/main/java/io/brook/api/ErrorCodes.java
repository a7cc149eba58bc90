package io.brook.api;

import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.ErrorsProto;

/**
 * Facts about {@link ErrorCode} values that every Brook component needs, read from the
 * contract itself ({@code brook/v1/errors.proto}) so that no second list can drift from it.
 *
 * <p>Thread-safe and stateless.
 */
public final class ErrorCodes {
    private ErrorCodes() {
    }

    /**
     * Whether a request that failed with {@code code} may succeed when sent again unchanged
     * (possibly after a metadata refresh). Unknown numbers ({@link ErrorCode#UNRECOGNIZED}, from
     * a newer server) are not retriable, as the contract asks.
     */
    public static boolean isRetriable(ErrorCode code) {
        if (code == ErrorCode.UNRECOGNIZED) {
            return false;
        }
        return code.getValueDescriptor().getOptions().getExtension(ErrorsProto.retriable);
    }
}
