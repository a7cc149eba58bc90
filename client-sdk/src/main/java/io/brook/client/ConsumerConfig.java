package io.brook.client;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import io.brook.common.ConfigValues;
import java.util.Map;

/** The consumer's keys, with Kafka's names and defaults, plus the {@link ClientConfig shared ones}. */
public final class ConsumerConfig {
    private ConsumerConfig() {}

    public static final ConfigKey<Integer> FETCH_MIN_BYTES = ConfigKey.intKey("fetch.min.bytes").defaultValue(1)
            .validator(ConfigValidator.atLeast(0))
            .doc("The least data a broker gathers before it answers a fetch (it answers earlier after "
                    + "fetch.max.wait.ms).")
            .build();
    public static final ConfigKey<Integer> FETCH_MAX_WAIT_MS = ConfigKey.intKey("fetch.max.wait.ms").defaultValue(500)
            .validator(ConfigValidator.atLeast(0))
            .doc("How long a broker holds a fetch waiting for fetch.min.bytes of data.")
            .build();
    public static final ConfigKey<Integer> FETCH_MAX_BYTES = ConfigKey.intKey("fetch.max.bytes")
            .defaultValue(52_428_800).validator(ConfigValidator.atLeast(0))
            .doc("The most data one fetch returns, over all its partitions (at least one batch is always "
                    + "returned so that a large batch cannot stall the consumer).")
            .build();
    public static final ConfigKey<Integer> MAX_PARTITION_FETCH_BYTES = ConfigKey.intKey("max.partition.fetch.bytes")
            .defaultValue(1_048_576).validator(ConfigValidator.atLeast(0))
            .doc("The most data one fetch returns for one partition (at least one batch is returned).")
            .build();
    public static final ConfigKey<Integer> MAX_POLL_RECORDS = ConfigKey.intKey("max.poll.records").defaultValue(500)
            .validator(ConfigValidator.atLeast(1))
            .doc("The most records one poll() returns.")
            .build();
    public static final ConfigKey<String> AUTO_OFFSET_RESET = ConfigKey.stringKey("auto.offset.reset")
            .defaultValue("latest").validator(ConfigValidator.oneOf("earliest", "latest", "none"))
            .doc("Where to start a partition that has no position, or whose position is out of range: "
                    + "earliest, latest, or none (poll throws OffsetOutOfRangeException).")
            .build();
    public static final ConfigKey<Boolean> CHECK_CRCS = ConfigKey.booleanKey("check.crcs").defaultValue(true)
            .doc("Verify the CRC32C of every fetched batch; a mismatch fails poll() with CorruptRecordException.")
            .build();

    public static final ConfigKey<String> GROUP_ID = ConfigKey.stringKey("group.id").defaultValue(null)
            .validator(ConfigValidator.of(id -> id.isBlank() ? "must not be blank" : null, "a non-blank name"))
            .doc("The consumer group this consumer belongs to: needed by subscribe() (group membership) and by "
                    + "commitSync / commitAsync / committed (offsets stored per group). Unset: assign() only, "
                    + "nothing committed.")
            .build();
    public static final ConfigKey<String> GROUP_INSTANCE_ID = ConfigKey.stringKey("group.instance.id")
            .defaultValue(null)
            .validator(ConfigValidator.of(id -> id.isBlank() ? "must not be blank" : null, "a non-blank name"))
            .doc("Makes the consumer a static member: unique within the group, kept across restarts. A static "
                    + "member that closes keeps its partitions for session.timeout.ms, so a restart within "
                    + "that time takes them back without a rebalance. Unset: a dynamic member.")
            .build();
    public static final ConfigKey<Boolean> ENABLE_AUTO_COMMIT = ConfigKey.booleanKey("enable.auto.commit")
            .defaultValue(true)
            .doc("Commit the positions of the records poll() returned every auto.commit.interval.ms (checked "
                    + "in poll), before partitions are revoked, and on close. Ignored without group.id; "
                    + "setting it to true without group.id is an error.")
            .build();
    public static final ConfigKey<Integer> AUTO_COMMIT_INTERVAL_MS = ConfigKey.intKey("auto.commit.interval.ms")
            .defaultValue(5000).validator(ConfigValidator.atLeast(0))
            .doc("How often the positions are committed when enable.auto.commit is true.")
            .build();
    public static final ConfigKey<Integer> SESSION_TIMEOUT_MS = ConfigKey.intKey("session.timeout.ms")
            .defaultValue(45_000).validator(ConfigValidator.atLeast(1))
            .doc("The coordinator removes a member (and moves its partitions) after this long without a "
                    + "heartbeat. Sent on join; must lie within the broker's group.min.session.timeout.ms and "
                    + "group.max.session.timeout.ms. Heartbeats come from a background thread, at the interval "
                    + "the coordinator names.")
            .build();
    public static final ConfigKey<Integer> MAX_POLL_INTERVAL_MS = ConfigKey.intKey("max.poll.interval.ms")
            .defaultValue(300_000).validator(ConfigValidator.atLeast(1))
            .doc("The longest the application may go between poll() calls while in a group: after that the "
                    + "consumer leaves the group (its partitions go to other members) and rejoins at the next "
                    + "poll, its partitions lost (onPartitionsLost, nothing committed). Also sent on join as "
                    + "the time the member may take to revoke partitions.")
            .build();

    public static final ConfigDefinitions DEFINITIONS = ClientConfig.DEFINITIONS.plus(ConfigDefinitions.of(
            FETCH_MIN_BYTES, FETCH_MAX_WAIT_MS, FETCH_MAX_BYTES, MAX_PARTITION_FETCH_BYTES, MAX_POLL_RECORDS,
            AUTO_OFFSET_RESET, CHECK_CRCS, GROUP_ID, GROUP_INSTANCE_ID, ENABLE_AUTO_COMMIT, AUTO_COMMIT_INTERVAL_MS,
            SESSION_TIMEOUT_MS, MAX_POLL_INTERVAL_MS));

    static ConfigValues parse(Map<String, ?> config) {
        return ClientConfig.parse(DEFINITIONS, config);
    }
}
