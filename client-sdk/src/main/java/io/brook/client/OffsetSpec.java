package io.brook.client;

/**
 * Which offset {@link BrookAdmin#listOffsets} looks up for a partition: the earliest (the log
 * start), the latest (the high watermark: the offset the next committed record gets), or the
 * first offset whose record timestamp is at or after a time.
 */
public sealed interface OffsetSpec {
    static OffsetSpec earliest() {
        return Earliest.INSTANCE;
    }

    static OffsetSpec latest() {
        return Latest.INSTANCE;
    }

    /** @param timestampMs ms since the epoch, at least 0 */
    static OffsetSpec forTimestamp(long timestampMs) {
        return new ForTimestamp(timestampMs);
    }

    /** The value ListOffsets carries: -2 earliest, -1 latest, otherwise the timestamp. */
    long wireTimestamp();

    enum Earliest implements OffsetSpec {
        INSTANCE;

        @Override
        public long wireTimestamp() {
            return -2;
        }
    }

    enum Latest implements OffsetSpec {
        INSTANCE;

        @Override
        public long wireTimestamp() {
            return -1;
        }
    }

    record ForTimestamp(long timestampMs) implements OffsetSpec {
        public ForTimestamp {
            if (timestampMs < 0) {
                throw new IllegalArgumentException("a timestamp is at least 0 ms, not " + timestampMs);
            }
        }

        @Override
        public long wireTimestamp() {
            return timestampMs;
        }
    }
}
