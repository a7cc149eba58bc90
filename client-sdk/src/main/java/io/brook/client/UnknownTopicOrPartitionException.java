package io.brook.client;

import io.brook.api.v1.ErrorCode;

/** The topic or partition does not exist (or its metadata has not reached this broker yet) ({@code UNKNOWN_TOPIC_OR_PARTITION}). */
public class UnknownTopicOrPartitionException extends RetriableException {
    public UnknownTopicOrPartitionException(String message) {
        super(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message);
    }
}
