package io.brook.client;

/**
 * Where a sent record went: its partition, its offset (-1 with {@code acks=0}, when nobody waits
 * for the broker) and its timestamp (the producer's, or the broker's with {@code LogAppendTime}).
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {
    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }
}
