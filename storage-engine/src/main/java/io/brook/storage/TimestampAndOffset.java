package io.brook.storage;

/**
 * A record's timestamp and offset: the answer to "first offset with a timestamp at or after T"
 * (ListOffsets by time).
 */
public record TimestampAndOffset(long timestamp, long offset) {
}
