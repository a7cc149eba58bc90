package io.brook.group;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import io.brook.common.ConfigValues;

/**
 * The group coordinator's settings (Kafka's names and defaults), read once from the node's
 * configuration.
 */
public record GroupConfig(int offsetsTopicPartitions, short offsetsTopicReplicationFactor, long offsetsRetentionMs,
        long offsetsRetentionCheckIntervalMs, int offsetMetadataMaxBytes, int sessionTimeoutMs, int minSessionTimeoutMs,
        int maxSessionTimeoutMs, int heartbeatIntervalMs, int maxGroupSize) {

    public static final ConfigKey<Integer> OFFSETS_TOPIC_NUM_PARTITIONS = ConfigKey.intKey("offsets.topic.num.partitions")
            .defaultValue(50).validator(ConfigValidator.atLeast(1))
            .doc("Partitions of __consumer_offsets (created on first use; group G is coordinated by the leader of "
                    + "partition abs(G.hashCode()) % this). Not to be changed once the topic exists.")
            .restartRequired().build();
    public static final ConfigKey<Integer> OFFSETS_TOPIC_REPLICATION_FACTOR =
            ConfigKey.intKey("offsets.topic.replication.factor").defaultValue(3).validator(ConfigValidator.between(1, 32))
                    .doc("Replication factor of __consumer_offsets; with fewer live brokers, as many as there are.")
                    .restartRequired().build();
    public static final ConfigKey<Integer> OFFSETS_RETENTION_MINUTES = ConfigKey.intKey("offsets.retention.minutes")
            .defaultValue(10080).validator(ConfigValidator.atLeast(1))
            .doc("A group without members loses its committed offsets (and then the group) this long after it "
                    + "became empty and after each offset's last commit.").build();
    public static final ConfigKey<Long> OFFSETS_RETENTION_CHECK_INTERVAL_MS =
            ConfigKey.longKey("offsets.retention.check.interval.ms").defaultValue(600_000L)
                    .validator(ConfigValidator.atLeast(1L)).doc("How often expired offsets are looked for.")
                    .restartRequired().build();
    public static final ConfigKey<Integer> OFFSET_METADATA_MAX_BYTES = ConfigKey.intKey("offset.metadata.max.bytes")
            .defaultValue(4096).validator(ConfigValidator.atLeast(0))
            .doc("The most metadata (UTF-8 bytes) a committed offset may carry (OFFSET_METADATA_TOO_LARGE beyond).")
            .build();
    public static final ConfigKey<Integer> SESSION_TIMEOUT_MS = ConfigKey.intKey("group.consumer.session.timeout.ms")
            .defaultValue(45_000).validator(ConfigValidator.atLeast(1))
            .doc("The session timeout of a member that does not ask for one (session.timeout.ms): removed after "
                    + "this long without a heartbeat.").build();
    public static final ConfigKey<Integer> MIN_SESSION_TIMEOUT_MS =
            ConfigKey.intKey("group.consumer.min.session.timeout.ms").defaultValue(6_000)
                    .validator(ConfigValidator.atLeast(1))
                    .doc("The shortest session.timeout.ms a member may ask for (INVALID_SESSION_TIMEOUT below).").build();
    public static final ConfigKey<Integer> MAX_SESSION_TIMEOUT_MS =
            ConfigKey.intKey("group.consumer.max.session.timeout.ms").defaultValue(1_800_000)
                    .validator(ConfigValidator.atLeast(1))
                    .doc("The longest session.timeout.ms a member may ask for (INVALID_SESSION_TIMEOUT above).").build();
    public static final ConfigKey<Integer> HEARTBEAT_INTERVAL_MS = ConfigKey.intKey("group.consumer.heartbeat.interval.ms")
            .defaultValue(5_000).validator(ConfigValidator.atLeast(1))
            .doc("How often members heartbeat (told in every heartbeat answer); a member that revoked partitions "
                    + "heartbeats at once.").build();
    public static final ConfigKey<Integer> MAX_SIZE = ConfigKey.intKey("group.consumer.max.size")
            .defaultValue(Integer.MAX_VALUE).validator(ConfigValidator.atLeast(1))
            .doc("The most members a group may have (GROUP_MAX_SIZE_REACHED beyond).").build();

    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(OFFSETS_TOPIC_NUM_PARTITIONS,
            OFFSETS_TOPIC_REPLICATION_FACTOR, OFFSETS_RETENTION_MINUTES, OFFSETS_RETENTION_CHECK_INTERVAL_MS,
            OFFSET_METADATA_MAX_BYTES, SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS,
            HEARTBEAT_INTERVAL_MS, MAX_SIZE);

    public static GroupConfig from(ConfigValues values) {
        return new GroupConfig(values.get(OFFSETS_TOPIC_NUM_PARTITIONS),
                (short) (int) values.get(OFFSETS_TOPIC_REPLICATION_FACTOR),
                values.get(OFFSETS_RETENTION_MINUTES) * 60_000L, values.get(OFFSETS_RETENTION_CHECK_INTERVAL_MS),
                values.get(OFFSET_METADATA_MAX_BYTES), values.get(SESSION_TIMEOUT_MS),
                values.get(MIN_SESSION_TIMEOUT_MS), values.get(MAX_SESSION_TIMEOUT_MS),
                values.get(HEARTBEAT_INTERVAL_MS), values.get(MAX_SIZE));
    }

    /** Kafka's defaults. */
    public static GroupConfig defaults() {
        return from(DEFINITIONS.parse(java.util.Map.of()));
    }

    /** The {@code __consumer_offsets} partition coordinating {@code groupId} among {@code partitions}. */
    public static int partitionFor(String groupId, int partitions) {
        return (groupId.hashCode() & 0x7fffffff) % partitions;
    }
}
