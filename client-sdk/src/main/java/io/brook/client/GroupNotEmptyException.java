package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** The group has members, so it cannot be deleted or have its offsets reset ({@code NON_EMPTY_GROUP}). */
public class GroupNotEmptyException extends BrookException {
    public GroupNotEmptyException(String message) {
        super(ErrorCode.NON_EMPTY_GROUP, message);
    }
}
