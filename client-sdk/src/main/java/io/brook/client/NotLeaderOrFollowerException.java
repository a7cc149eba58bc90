package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** The broker asked is not the partition's leader (any more); the client refreshes metadata and retries ({@code NOT_LEADER_OR_FOLLOWER}). */
public class NotLeaderOrFollowerException extends RetriableException {
    public NotLeaderOrFollowerException(String message) {
        super(ErrorCode.NOT_LEADER_OR_FOLLOWER, message);
    }
}
