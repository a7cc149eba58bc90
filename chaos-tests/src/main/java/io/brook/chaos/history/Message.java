package io.brook.chaos.history;

import io.brook.client.TopicPartition;
import java.util.Objects;

/**
 * One record as a consumer saw it: where it sits ({@code topic}, {@code partition}, {@code offset})
 * and what it holds. The payload of "poll" ops (records from any partitions) and "read" ops (the
 * whole partition, in offset order). Immutable.
 *
 * <p>Values are the identity of a write: the workloads send unique values, so the checkers
 * match a read record to its send by {@code value} alone; {@code key} is kept for the record.
 *
 * @param topic the topic, never null
 * @param partition the partition number, at least 0
 * @param offset the record's offset, at least 0
 * @param key the record's key, or null
 * @param value the record's value, or null (a tombstone)
 */
public record Message(String topic, int partition, long offset, String key, String value) {
    public Message {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be at least 0: " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be at least 0: " + offset);
        }
    }

    /** A record of {@code partition} at {@code offset}. */
    public static Message of(TopicPartition partition, long offset, String key, String value) {
        return new Message(partition.topic(), partition.partition(), offset, key, value);
    }

    /** The record's topic and partition. */
    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }
}
