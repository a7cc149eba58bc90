package io.brook.client;

import io.brook.api.records.Header;
import io.brook.api.records.TimestampType;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A record read from a partition: where it is (topic, partition, offset), when (its timestamp and
 * whether the producer or the broker set it), what (key and value bytes, either may be null;
 * headers), and the leader epoch of the batch it came in.
 */
public record ConsumerRecord(String topic, int partition, long offset, long timestamp, TimestampType timestampType,
        byte[] key, byte[] value, List<Header> headers, int leaderEpoch) {

    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }

    /** The key as UTF-8 text, or null. */
    public String keyAsString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** The value as UTF-8 text, or null. */
    public String valueAsString() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
