package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** A record or batch is larger than the producer's max.request.size or the topic's max.message.bytes ({@code RECORD_TOO_LARGE}). */
public class RecordTooLargeException extends BrookException {
    public RecordTooLargeException(String message) {
        super(ErrorCode.RECORD_TOO_LARGE, message);
    }
}
