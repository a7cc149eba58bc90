package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** The fetch position is outside the partition's log and auto.offset.reset is none ({@code OFFSET_OUT_OF_RANGE}). */
public class OffsetOutOfRangeException extends BrookException {
    public OffsetOutOfRangeException(String message) {
        super(ErrorCode.OFFSET_OUT_OF_RANGE, message);
    }
}
