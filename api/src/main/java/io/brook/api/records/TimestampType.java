package io.brook.api.records;

/**
 * Whose clock a batch's timestamps come from: bit 3 of the batch attributes, as in Kafka
 * ({@code message.timestamp.type}).
 */
public enum TimestampType {
    /** The producer's timestamps, kept as sent. */
    CREATE_TIME,
    /** The broker's append time: the log sets the batch's max timestamp when it appends it. */
    LOG_APPEND_TIME;

    /** The configuration name: {@code CreateTime} or {@code LogAppendTime}. */
    public String configName() {
        return this == CREATE_TIME ? "CreateTime" : "LogAppendTime";
    }
}
