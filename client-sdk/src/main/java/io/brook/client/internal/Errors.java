package io.brook.client.internal;

import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.ErrorsProto;
import io.brook.client.BrookException;
import io.brook.client.CommitFailedException;
import io.brook.client.GroupIdNotFoundException;
import io.brook.client.GroupNotEmptyException;
import io.brook.client.CorruptRecordException;
import io.brook.client.InvalidConfigurationException;
import io.brook.client.InvalidPartitionsException;
import io.brook.client.InvalidReplicationFactorException;
import io.brook.client.InvalidTopicException;
import io.brook.client.NotEnoughReplicasException;
import io.brook.client.NotLeaderOrFollowerException;
import io.brook.client.OffsetOutOfRangeException;
import io.brook.client.OutOfOrderSequenceException;
import io.brook.client.RecordTooLargeException;
import io.brook.client.RetriableException;
import io.brook.client.TopicExistsException;
import io.brook.client.UnknownTopicOrPartitionException;

/** Error codes to exceptions: a specific class where callers catch one, otherwise by retriability. */
public final class Errors {
    private Errors() {}

    /** Whether {@code code} is marked retriable in errors.proto. */
    public static boolean retriable(ErrorCode code) {
        return code != ErrorCode.UNRECOGNIZED
                && code.getValueDescriptor().getOptions().getExtension(ErrorsProto.retriable);
    }

    /** The exception for a non-NONE {@code code}; {@code message} is the broker's, or a default. */
    public static BrookException exception(ErrorCode code, String message) {
        String text = message == null || message.isEmpty() ? code.name() : message;
        return switch (code) {
            case NOT_LEADER_OR_FOLLOWER -> new NotLeaderOrFollowerException(text);
            case UNKNOWN_TOPIC_OR_PARTITION -> new UnknownTopicOrPartitionException(text);
            case NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND -> new NotEnoughReplicasException(code, text);
            case CORRUPT_MESSAGE -> new CorruptRecordException(text);
            case TOPIC_ALREADY_EXISTS -> new TopicExistsException(text);
            case INVALID_TOPIC_EXCEPTION -> new InvalidTopicException(text);
            case INVALID_PARTITIONS -> new InvalidPartitionsException(text);
            case INVALID_REPLICATION_FACTOR -> new InvalidReplicationFactorException(text);
            case INVALID_CONFIG -> new InvalidConfigurationException(text);
            case RECORD_TOO_LARGE, RECORD_LIST_TOO_LARGE -> new RecordTooLargeException(text);
            case OUT_OF_ORDER_SEQUENCE -> new OutOfOrderSequenceException(text);
            case OFFSET_OUT_OF_RANGE -> new OffsetOutOfRangeException(text);
            case NON_EMPTY_GROUP -> new GroupNotEmptyException(text);
            case GROUP_ID_NOT_FOUND -> new GroupIdNotFoundException(text);
            case UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, STALE_MEMBER_EPOCH, FENCED_INSTANCE_ID, ILLEGAL_GENERATION ->
                    new CommitFailedException(code, text);
            default -> retriable(code) ? new RetriableException(code, text) : new BrookException(code, text);
        };
    }
}
