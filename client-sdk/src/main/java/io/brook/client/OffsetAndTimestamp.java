package io.brook.client;

/**
 * An offset found by a lookup, with the timestamp of the record there (-1 for earliest/latest
 * lookups). A timestamp lookup past every record finds offset -1.
 */
public record OffsetAndTimestamp(long offset, long timestamp) {}
