package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** No group has that id ({@code GROUP_ID_NOT_FOUND}). */
public class GroupIdNotFoundException extends BrookException {
    public GroupIdNotFoundException(String message) {
        super(ErrorCode.GROUP_ID_NOT_FOUND, message);
    }
}
