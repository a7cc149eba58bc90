package io.brook.client;

/**
 * One partition's answer to {@link BrookAdmin#listOffsets} (Kafka's name). {@code offset} is -1
 * when no record has a timestamp at or after the one asked for; {@code timestamp} is the found
 * record's timestamp, -1 for earliest and latest; {@code leaderEpoch} is -1 when unknown.
 */
public record ListOffsetsResultInfo(long offset, long timestamp, int leaderEpoch) {}
