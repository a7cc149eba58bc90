package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** A topic of that name exists already ({@code TOPIC_ALREADY_EXISTS}). */
public class TopicExistsException extends BrookException {
    public TopicExistsException(String message) {
        super(ErrorCode.TOPIC_ALREADY_EXISTS, message);
    }
}
