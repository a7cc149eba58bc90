package io.brook.metadata;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import io.brook.common.ConfigValues;
import java.util.Map;

/**
 * The active controller's settings (Kafka's names and defaults), and the topic-level key the
 * controller itself reads. Immutable.
 */
public record ControllerConfig(
        long brokerHeartbeatIntervalMs,
        long brokerSessionTimeoutMs,
        int numPartitions,
        int defaultReplicationFactor,
        long metadataMaxIdleIntervalMs,
        boolean uncleanLeaderElectionEnable) {

    public static final ConfigKey<Integer> BROKER_HEARTBEAT_INTERVAL_MS = ConfigKey.intKey("broker.heartbeat.interval.ms")
            .defaultValue(2000).validator(ConfigValidator.atLeast(1))
            .doc("How often a broker heartbeats to the active controller.").build();
    public static final ConfigKey<Integer> BROKER_SESSION_TIMEOUT_MS = ConfigKey.intKey("broker.session.timeout.ms")
            .defaultValue(9000).validator(ConfigValidator.atLeast(1))
            .doc("A broker not heard from for this long is fenced: removed from every ISR, its led "
                    + "partitions get new leaders.").build();
    public static final ConfigKey<Integer> NUM_PARTITIONS = ConfigKey.intKey("num.partitions")
            .defaultValue(1).validator(ConfigValidator.atLeast(1))
            .doc("Partitions of a topic created without a partition count.").build();
    public static final ConfigKey<Integer> DEFAULT_REPLICATION_FACTOR = ConfigKey.intKey("default.replication.factor")
            .defaultValue(1).validator(ConfigValidator.atLeast(1))
            .doc("Replication factor of a topic created without one.").build();
    public static final ConfigKey<Integer> METADATA_MAX_IDLE_INTERVAL_MS = ConfigKey.intKey("metadata.max.idle.interval.ms")
            .defaultValue(500).validator(ConfigValidator.atLeast(0))
            .doc("The active controller writes a no-op record when nothing was written for this long, "
                    + "so that followers and brokers can measure their lag; 0 disables it.").build();
    /** Cluster default and topic-level override (same name, as in Kafka). */
    public static final ConfigKey<Boolean> UNCLEAN_LEADER_ELECTION_ENABLE =
            ConfigKey.booleanKey("unclean.leader.election.enable").defaultValue(false)
                    .doc("When no in-sync replica is alive, elect an out-of-sync one: the partition comes back "
                            + "but acknowledged records may be lost. Off: the partition stays offline.").build();

    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(BROKER_HEARTBEAT_INTERVAL_MS,
            BROKER_SESSION_TIMEOUT_MS, NUM_PARTITIONS, DEFAULT_REPLICATION_FACTOR, METADATA_MAX_IDLE_INTERVAL_MS,
            UNCLEAN_LEADER_ELECTION_ENABLE);

    /** Topic-level keys the controller itself understands (added to the broker's topic keys). */
    public static final ConfigDefinitions TOPIC_DEFINITIONS = ConfigDefinitions.of(UNCLEAN_LEADER_ELECTION_ENABLE);

    public static ControllerConfig from(ConfigValues values) {
        return new ControllerConfig(values.get(BROKER_HEARTBEAT_INTERVAL_MS), values.get(BROKER_SESSION_TIMEOUT_MS),
                values.get(NUM_PARTITIONS), values.get(DEFAULT_REPLICATION_FACTOR),
                values.get(METADATA_MAX_IDLE_INTERVAL_MS), values.get(UNCLEAN_LEADER_ELECTION_ENABLE));
    }

    public static ControllerConfig defaults() {
        return from(DEFINITIONS.parse(Map.of()));
    }
}
