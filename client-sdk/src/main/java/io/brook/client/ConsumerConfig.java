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

    public static final ConfigDefinitions DEFINITIONS = ClientConfig.DEFINITIONS.plus(ConfigDefinitions.of(
            FETCH_MIN_BYTES, FETCH_MAX_WAIT_MS, FETCH_MAX_BYTES, MAX_PARTITION_FETCH_BYTES, MAX_POLL_RECORDS,
            AUTO_OFFSET_RESET, CHECK_CRCS));

    static ConfigValues parse(Map<String, ?> config) {
        return ClientConfig.parse(DEFINITIONS, config);
    }
}
