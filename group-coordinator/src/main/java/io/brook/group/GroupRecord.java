package io.brook.group;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.brook.api.internal.group.GroupRecordKey;
import io.brook.api.internal.group.GroupValue;
import io.brook.api.internal.group.MemberKey;
import io.brook.api.internal.group.MemberValue;
import io.brook.api.internal.group.OffsetKey;
import io.brook.api.internal.group.OffsetValue;

/**
 * One record of {@code __consumer_offsets}: a key and its whole new value, or a tombstone (null
 * value) deleting the key. See {@code brook/internal/group/records.proto}.
 */
public record GroupRecord(GroupRecordKey key, Message value) {

    public static GroupRecord group(String group, GroupValue value) {
        return new GroupRecord(GroupRecordKey.newBuilder().setGroup(group).build(), value);
    }

    public static GroupRecord member(String group, String memberId, MemberValue value) {
        return new GroupRecord(GroupRecordKey.newBuilder()
                .setMember(MemberKey.newBuilder().setGroup(group).setMemberId(memberId)).build(), value);
    }

    public static GroupRecord offset(String group, String topic, int partition, OffsetValue value) {
        return new GroupRecord(GroupRecordKey.newBuilder()
                .setOffset(OffsetKey.newBuilder().setGroup(group).setTopic(topic).setPartition(partition)).build(), value);
    }

    /**
     * A record that changes nothing: the tombstone of the empty group id, which no group can have
     * (every request naming it is refused). A coordinator appends one before answering a read, so
     * that a coordinator cut off from the others, which still leads the partition in its own view
     * but can no longer replicate to it, cannot answer from state a new coordinator has moved past.
     */
    public static GroupRecord readBarrier() {
        return new GroupRecord(GroupRecordKey.newBuilder().setGroup("").build(), null);
    }

    public boolean tombstone() {
        return value == null;
    }

    public byte[] keyBytes() {
        return key.toByteArray();
    }

    /** The value's bytes, null for a tombstone. */
    public byte[] valueBytes() {
        return value == null ? null : value.toByteArray();
    }

    /**
     * Parses a record read from the partition.
     *
     * @throws IllegalArgumentException when the bytes are not a group record (the partition is damaged or
     *         was written by something else)
     */
    public static GroupRecord parse(byte[] key, byte[] value) {
        try {
            GroupRecordKey k = GroupRecordKey.parseFrom(key);
            if (value == null) {
                return new GroupRecord(k, null);
            }
            Message v = switch (k.getKeyCase()) {
                case GROUP -> GroupValue.parseFrom(value);
                case MEMBER -> MemberValue.parseFrom(value);
                case OFFSET -> OffsetValue.parseFrom(value);
                case KEY_NOT_SET -> throw new IllegalArgumentException("a group record key without a kind");
            };
            return new GroupRecord(k, v);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a group record: " + e.getMessage(), e);
        }
    }
}
