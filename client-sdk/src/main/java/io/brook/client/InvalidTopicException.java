package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** The topic name is not valid (empty, too long, or characters other than letters, digits, '.', '_', '-') ({@code INVALID_TOPIC_EXCEPTION}). */
public class InvalidTopicException extends BrookException {
    public InvalidTopicException(String message) {
        super(ErrorCode.INVALID_TOPIC_EXCEPTION, message);
    }
}
