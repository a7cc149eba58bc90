package io.brook.metadata.internal.controller;

import io.brook.api.internal.controller.ControllerError;
import io.brook.api.v1.ErrorCode;

/** Building the top-level {@link ControllerError} of controller answers. */
final class ControllerErrors {
    private ControllerErrors() {}

    static ControllerError ok() {
        return ControllerError.newBuilder().setCode(ErrorCode.NONE).setLeaderHint(-1).build();
    }

    static ControllerError error(ErrorCode code, String message) {
        return ControllerError.newBuilder().setCode(code).setMessage(message).setLeaderHint(-1).build();
    }
}
