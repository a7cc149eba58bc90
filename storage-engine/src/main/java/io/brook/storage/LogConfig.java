package io.brook.storage;

import io.brook.api.records.RecordBatch;
import io.brook.api.records.TimestampType;
import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import io.brook.common.ConfigValues;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-partition log settings, with Kafka's topic-level key names and defaults. One typed
 * definition per key lives here; the broker layers cluster and topic overrides on top.
 *
 * <p>Immutable and thread-safe. A log reads its config through a volatile field, so a config
 * change applies to the next append, roll, retention or cleaning pass.
 */
public final class LogConfig {
    public static final ConfigKey<Integer> SEGMENT_BYTES = ConfigKey.intKey("segment.bytes")
            .defaultValue(1 << 30).validator(ConfigValidator.atLeast(RecordBatch.HEADER_SIZE))
            .doc("Roll a new segment when the active one would grow beyond this many bytes.").build();
    public static final ConfigKey<Long> SEGMENT_MS = ConfigKey.longKey("segment.ms")
            .defaultValue(7L * 24 * 60 * 60 * 1000).validator(ConfigValidator.atLeast(1L))
            .doc("Roll a new segment when incoming records are this much newer (by record timestamp) than the "
                    + "active segment's first batch, even if it is not full, so that retention and compaction "
                    + "can act on it.").build();
    public static final ConfigKey<Integer> SEGMENT_INDEX_BYTES = ConfigKey.intKey("segment.index.bytes")
            .defaultValue(10 * 1024 * 1024).validator(ConfigValidator.atLeast(TimeIndexEntrySize.BYTES))
            .doc("Size preallocated for each segment's offset and time index; a full index rolls the "
                    + "segment.").build();
    public static final ConfigKey<Integer> INDEX_INTERVAL_BYTES = ConfigKey.intKey("index.interval.bytes")
            .defaultValue(4096).validator(ConfigValidator.atLeast(0))
            .doc("Bytes of batches between two offset-index entries: smaller is a denser, larger index "
                    + "and shorter scans.").build();
    public static final ConfigKey<Long> RETENTION_MS = ConfigKey.longKey("retention.ms")
            .defaultValue(7L * 24 * 60 * 60 * 1000).validator(ConfigValidator.atLeast(-1L))
            .doc("Delete whole segments whose newest record is older than this; -1 keeps them forever.")
            .build();
    public static final ConfigKey<Long> RETENTION_BYTES = ConfigKey.longKey("retention.bytes")
            .defaultValue(-1L).validator(ConfigValidator.atLeast(-1L))
            .doc("Delete the oldest whole segments while the partition is larger than this; -1 means "
                    + "no size limit.").build();
    public static final ConfigKey<List<String>> CLEANUP_POLICY = ConfigKey.listKey("cleanup.policy")
            .defaultValue(List.of("delete"))
            .validator(ConfigValidator.nonEmptySubsetOf("delete", "compact"))
            .doc("'delete' applies retention; 'compact' keeps the latest record per key; both may be "
                    + "given.").build();
    public static final ConfigKey<Long> DELETE_RETENTION_MS = ConfigKey.longKey("delete.retention.ms")
            .defaultValue(24L * 60 * 60 * 1000).validator(ConfigValidator.atLeast(0L))
            .doc("How long compaction keeps a tombstone (a null value) after its timestamp, so that a "
                    + "consumer reading from the start sees the delete.").build();
    public static final ConfigKey<Double> MIN_CLEANABLE_DIRTY_RATIO =
            ConfigKey.doubleKey("min.cleanable.dirty.ratio").defaultValue(0.5)
                    .validator(ConfigValidator.between(0.0, 1.0))
                    .doc("Compact a log when the not-yet-compacted part is at least this share of it.")
                    .build();
    public static final ConfigKey<Long> MIN_COMPACTION_LAG_MS = ConfigKey.longKey("min.compaction.lag.ms")
            .defaultValue(0L).validator(ConfigValidator.atLeast(0L))
            .doc("A record stays uncompacted for at least this long after its timestamp.").build();
    public static final ConfigKey<Long> FLUSH_MESSAGES = ConfigKey.longKey("flush.messages")
            .defaultValue(Long.MAX_VALUE).validator(ConfigValidator.atLeast(1L))
            .doc("Force an fsync once this many records are unflushed. The default never forces one: "
                    + "durability comes from replication, as in Kafka.").build();
    public static final ConfigKey<Long> FLUSH_MS = ConfigKey.longKey("flush.ms")
            .defaultValue(Long.MAX_VALUE).validator(ConfigValidator.atLeast(0L))
            .doc("Force an fsync when unflushed data is this old. The default never forces one.").build();
    public static final ConfigKey<Integer> MAX_MESSAGE_BYTES = ConfigKey.intKey("max.message.bytes")
            .defaultValue(1024 * 1024 + RecordBatch.LOG_OVERHEAD).validator(ConfigValidator.atLeast(0))
            .doc("The largest record batch (after compression, with its header) the log accepts; larger "
                    + "ones are refused with RECORD_TOO_LARGE.").build();
    public static final ConfigKey<String> MESSAGE_TIMESTAMP_TYPE =
            ConfigKey.stringKey("message.timestamp.type").defaultValue("CreateTime")
                    .validator(ConfigValidator.oneOf("CreateTime", "LogAppendTime"))
                    .doc("CreateTime keeps the producer's timestamps; LogAppendTime stamps each batch "
                            + "with the broker's clock when it is appended.").build();

    /** Every key above. */
    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(SEGMENT_BYTES, SEGMENT_MS,
            SEGMENT_INDEX_BYTES, INDEX_INTERVAL_BYTES, RETENTION_MS, RETENTION_BYTES, CLEANUP_POLICY,
            DELETE_RETENTION_MS, MIN_CLEANABLE_DIRTY_RATIO, MIN_COMPACTION_LAG_MS, FLUSH_MESSAGES, FLUSH_MS,
            MAX_MESSAGE_BYTES, MESSAGE_TIMESTAMP_TYPE);

    private static final LogConfig DEFAULTS = new LogConfig(DEFINITIONS.parse(Map.of()));

    private final ConfigValues values;
    private final int segmentBytes;
    private final long segmentMs;
    private final int segmentIndexBytes;
    private final int indexIntervalBytes;
    private final long retentionMs;
    private final long retentionBytes;
    private final boolean compact;
    private final boolean delete;
    private final long deleteRetentionMs;
    private final double minCleanableDirtyRatio;
    private final long minCompactionLagMs;
    private final long flushMessages;
    private final long flushMs;
    private final int maxMessageBytes;
    private final TimestampType timestampType;

    private LogConfig(ConfigValues values) {
        this.values = values;
        this.segmentBytes = values.get(SEGMENT_BYTES);
        this.segmentMs = values.get(SEGMENT_MS);
        this.segmentIndexBytes = values.get(SEGMENT_INDEX_BYTES);
        this.indexIntervalBytes = values.get(INDEX_INTERVAL_BYTES);
        this.retentionMs = values.get(RETENTION_MS);
        this.retentionBytes = values.get(RETENTION_BYTES);
        this.compact = values.get(CLEANUP_POLICY).contains("compact");
        this.delete = values.get(CLEANUP_POLICY).contains("delete");
        this.deleteRetentionMs = values.get(DELETE_RETENTION_MS);
        this.minCleanableDirtyRatio = values.get(MIN_CLEANABLE_DIRTY_RATIO);
        this.minCompactionLagMs = values.get(MIN_COMPACTION_LAG_MS);
        this.flushMessages = values.get(FLUSH_MESSAGES);
        this.flushMs = values.get(FLUSH_MS);
        this.maxMessageBytes = values.get(MAX_MESSAGE_BYTES);
        this.timestampType = values.get(MESSAGE_TIMESTAMP_TYPE).equals("LogAppendTime")
                ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
    }

    /** Kafka's defaults for every key. */
    public static LogConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Parses and validates text values; keys not given take their defaults.
     *
     * @throws io.brook.common.ConfigException naming the key for an unknown key or invalid value
     */
    public static LogConfig of(Map<String, String> values) {
        return new LogConfig(DEFINITIONS.parse(values));
    }

    /** This config with {@code key} set to {@code value} (validated). */
    public LogConfig with(String key, String value) {
        Map<String, String> changed = new HashMap<>(values.originals());
        changed.put(key, value);
        return of(changed);
    }

    /** The values as given (without defaults). */
    public Map<String, String> originals() {
        return values.originals();
    }

    public int segmentBytes() {
        return segmentBytes;
    }

    public long segmentMs() {
        return segmentMs;
    }

    public int segmentIndexBytes() {
        return segmentIndexBytes;
    }

    public int indexIntervalBytes() {
        return indexIntervalBytes;
    }

    public long retentionMs() {
        return retentionMs;
    }

    public long retentionBytes() {
        return retentionBytes;
    }

    /** Whether {@code cleanup.policy} includes compact. */
    public boolean compact() {
        return compact;
    }

    /** Whether {@code cleanup.policy} includes delete (time and size retention apply). */
    public boolean delete() {
        return delete;
    }

    public long deleteRetentionMs() {
        return deleteRetentionMs;
    }

    public double minCleanableDirtyRatio() {
        return minCleanableDirtyRatio;
    }

    public long minCompactionLagMs() {
        return minCompactionLagMs;
    }

    public long flushMessages() {
        return flushMessages;
    }

    public long flushMs() {
        return flushMs;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public TimestampType timestampType() {
        return timestampType;
    }

    @Override
    public String toString() {
        return "LogConfig" + values.originals();
    }

    /** Size of one time-index entry; the smallest index that holds one entry of each kind. */
    private static final class TimeIndexEntrySize {
        static final int BYTES = 12;
    }
}
