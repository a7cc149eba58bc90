package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** A group operation ({@code subscribe}, a commit, {@code committed}) on a consumer without {@code group.id}. */
public class InvalidGroupIdException extends BrookException {
    public InvalidGroupIdException(String message) {
        super(ErrorCode.INVALID_GROUP_ID, message);
    }
}
