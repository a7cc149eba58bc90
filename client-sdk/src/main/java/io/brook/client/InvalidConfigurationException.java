package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** A configuration key is unknown or its value is not valid ({@code INVALID_CONFIG}). */
public class InvalidConfigurationException extends BrookException {
    public InvalidConfigurationException(String message) {
        super(ErrorCode.INVALID_CONFIG, message);
    }
}
